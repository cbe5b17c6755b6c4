//! The guided conversation a bot holds with one reporter: the language,
//! what happened, when, where, who, then confirmation. Pure: given the
//! state and a message it returns the next state, what to answer, and at
//! most one thing to do (file the report, or pass a message on to the
//! case it became). The runner in the parent module does those and keeps
//! the state, sealed, between messages.

use super::texts::{self, Lang};
use crate::reporting::{Involved, MAX_INVOLVED, MAX_MESSAGE, MAX_SHORT, MAX_TEXT, ReportInput};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Nothing said yet (or the conversation expired).
    #[default]
    Start,
    Language,
    What,
    When,
    Where,
    Who,
    Confirm,
    /// The report is filed; what follows goes to its case.
    Filed,
}

/// A conversation's whole state; stored sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub step: Step,
    #[serde(default)]
    pub lang: Option<Lang>,
    #[serde(default)]
    pub draft: ReportInput,
    /// The report this conversation filed last: the reporter's later
    /// messages go to its case.
    #[serde(default)]
    pub report: Option<Uuid>,
    /// A report being filed: recorded (sealed) before it is, so that a
    /// worker taking the message over after a crash finishes this filing
    /// instead of making another.
    #[serde(default)]
    pub filing: Option<Filing>,
}

/// The id and receipt a report is about to be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub report: Uuid,
    pub receipt: String,
}

/// A message from the reporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<'a> {
    Text(&'a str),
    /// A photo, voice note, document...: only text is taken.
    Media,
}

/// What the runner is to do besides answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// File the draft ([`Conversation::report_input`]), answer with the
    /// receipt, then record the report in the state
    /// ([`Conversation::filed`]).
    File,
    /// Add this text to the case of report `report` as the reporter's.
    Forward { report: Uuid, text: String },
}

/// The outcome of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub next: Conversation,
    pub replies: Vec<String>,
    pub action: Option<Action>,
}

/// Words that start a new report at any point.
fn is_restart(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "/start" | "/new" | "new" | "жаңа" | "новый" | "новое" | "заново" | "restart"
    )
}

/// Words that leave an optional question unanswered.
fn is_skip(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "-" | "0" | "skip" | "/skip" | "өткізу" | "жоқ" | "пропустить" | "нет"
    )
}

fn is_yes(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "1" | "yes" | "y" | "иә" | "ия" | "да" | "жіберу" | "отправить" | "send"
    )
}

fn is_no(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "2" | "no" | "n" | "жоқ" | "нет" | "қайта" | "сначала"
    )
}

/// The people a reporter names, one per line or separated by `;` or `,`:
/// names, with a position after a dash or in parentheses if given.
fn involved(text: &str) -> Vec<Involved> {
    text.split(['\n', ';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .take(MAX_INVOLVED)
        .map(|p| {
            let (name, position) = match p.split_once(" - ").or_else(|| p.split_once(" — ")) {
                Some((n, pos)) => (n.trim(), Some(pos.trim())),
                None => match p.split_once('(') {
                    Some((n, pos)) => (n.trim(), Some(pos.trim_end_matches(')').trim())),
                    None => (p, None),
                },
            };
            Involved {
                name: name.chars().take(MAX_SHORT).collect(),
                position: position
                    .filter(|s| !s.is_empty())
                    .map(|s| s.chars().take(MAX_SHORT).collect()),
            }
        })
        .filter(|i| !i.name.is_empty())
        .collect()
}

impl Conversation {
    /// The state after the report was filed as `report`.
    pub fn filed(self, report: Uuid) -> Self {
        Self {
            step: Step::Filed,
            draft: ReportInput::default(),
            report: Some(report),
            filing: None,
            ..self
        }
    }

    /// The report the draft makes, in the conversation's language.
    pub fn report_input(&self) -> ReportInput {
        ReportInput {
            language: Some(self.lang.unwrap_or_default().code().to_owned()),
            ..self.draft.clone()
        }
    }

    fn at(self, step: Step) -> Self {
        Self { step, ..self }
    }

    /// Answers one message. `web_channel` is the address of the tenant's
    /// anonymous web form, offered at the start and for files.
    pub fn step(self, input: Incoming<'_>, web_channel: &str) -> Turn {
        let lang = self.lang.unwrap_or_default();
        let reply = |next: Conversation, replies: Vec<String>| Turn {
            next,
            replies,
            action: None,
        };
        let text = match input {
            Incoming::Media if self.step == Step::Start => {
                let next = Conversation {
                    report: self.report,
                    ..Conversation::default()
                }
                .at(Step::Language);
                return reply(
                    next,
                    vec![
                        texts::media_only(None, web_channel),
                        texts::welcome(web_channel),
                    ],
                );
            }
            Incoming::Media => {
                // Nothing changes; the question stands.
                let again = self.question();
                let mut replies = vec![texts::media_only(self.lang, web_channel)];
                replies.extend(again);
                return reply(self, replies);
            }
            Incoming::Text(t) => t.trim(),
        };
        if text.is_empty() && self.step != Step::Start {
            // Nothing said: the question stands.
            let again = self.question().into_iter().collect();
            return reply(self, again);
        }
        if self.step == Step::Start || text.eq_ignore_ascii_case("/start") {
            let next = Conversation {
                report: self.report,
                ..Conversation::default()
            }
            .at(Step::Language);
            return reply(next, vec![texts::welcome(web_channel)]);
        }
        if is_restart(text) {
            let next = Conversation {
                lang: self.lang,
                report: self.report,
                ..Conversation::default()
            };
            let next = if self.lang.is_some() {
                next.at(Step::What)
            } else {
                next.at(Step::Language)
            };
            let replies = match next.lang {
                Some(l) => vec![texts::ask_what(l)],
                None => vec![texts::welcome(web_channel)],
            };
            return reply(next, replies);
        }
        let too_long = |max: usize| texts::too_long(lang, max);
        match self.step {
            Step::Start => reply(self, Vec::new()),
            Step::Language => match Lang::choose(text) {
                Some(l) => {
                    let next = Conversation {
                        lang: Some(l),
                        ..self
                    }
                    .at(Step::What);
                    reply(next, vec![texts::ask_what(l)])
                }
                None => reply(self, vec![texts::ask_language()]),
            },
            Step::What => {
                if text.chars().count() > MAX_TEXT {
                    return reply(self, vec![too_long(MAX_TEXT)]);
                }
                let mut next = self.at(Step::When);
                next.draft.what = text.to_owned();
                reply(next, vec![texts::ask_when(lang)])
            }
            Step::When | Step::Where => {
                if !is_skip(text) && text.chars().count() > MAX_SHORT {
                    return reply(self, vec![too_long(MAX_SHORT)]);
                }
                let answer = (!is_skip(text)).then(|| text.to_owned());
                let mut next = self.clone();
                if self.step == Step::When {
                    next.draft.when = answer;
                    reply(next.at(Step::Where), vec![texts::ask_where(lang)])
                } else {
                    next.draft.place = answer;
                    reply(next.at(Step::Who), vec![texts::ask_who(lang)])
                }
            }
            Step::Who => {
                let mut next = self.at(Step::Confirm);
                next.draft.involved = if is_skip(text) {
                    Vec::new()
                } else {
                    involved(text)
                };
                let summary = texts::summary(lang, &next.draft);
                reply(next, vec![summary])
            }
            Step::Confirm => {
                if is_yes(text) {
                    Turn {
                        next: self,
                        replies: Vec::new(),
                        action: Some(Action::File),
                    }
                } else if is_no(text) {
                    let next = Conversation {
                        lang: self.lang,
                        report: self.report,
                        ..Conversation::default()
                    }
                    .at(Step::What);
                    reply(next, vec![texts::ask_what(lang)])
                } else {
                    reply(self, vec![texts::ask_confirm(lang)])
                }
            }
            Step::Filed => match self.report {
                Some(report) if text.chars().count() <= MAX_MESSAGE => Turn {
                    next: self,
                    replies: vec![texts::forwarded(lang)],
                    action: Some(Action::Forward {
                        report,
                        text: text.to_owned(),
                    }),
                },
                Some(_) => reply(self, vec![too_long(MAX_MESSAGE)]),
                None => {
                    let next = self.at(Step::What);
                    reply(next, vec![texts::ask_what(lang)])
                }
            },
        }
    }

    /// The question the conversation is waiting on, to repeat it.
    fn question(&self) -> Option<String> {
        let l = self.lang.unwrap_or_default();
        match self.step {
            Step::Start | Step::Filed => None,
            Step::Language => Some(texts::ask_language()),
            Step::What => Some(texts::ask_what(l)),
            Step::When => Some(texts::ask_when(l)),
            Step::Where => Some(texts::ask_where(l)),
            Step::Who => Some(texts::ask_who(l)),
            Step::Confirm => Some(texts::ask_confirm(l)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = "https://adal.example/report/00000000-0000-0000-0000-000000000001";

    fn say(c: Conversation, text: &str) -> Turn {
        c.step(Incoming::Text(text), WEB)
    }

    #[test]
    fn a_whole_conversation_ends_in_a_report_to_file() {
        let t = say(Conversation::default(), "Сәлем");
        assert_eq!(t.next.step, Step::Language);
        let welcome = &t.replies[0];
        // The provider notice and the anonymous alternative, at once.
        assert!(welcome.contains(WEB), "{welcome}");
        assert!(welcome.contains("WhatsApp") && welcome.contains("Telegram"));
        assert!(welcome.contains("телефон") && welcome.contains("phone number"));

        let t = say(t.next, "2");
        assert_eq!(t.next.lang, Some(Lang::Ru));
        assert_eq!(t.next.step, Step::What);
        let t = say(t.next, "  Начальник требует откат 10%  ");
        assert_eq!(t.next.draft.what, "Начальник требует откат 10%");
        let t = say(t.next, "в марте");
        assert_eq!(t.next.draft.when.as_deref(), Some("в марте"));
        let t = say(t.next, "пропустить");
        assert_eq!(t.next.draft.place, None);
        assert_eq!(t.next.step, Step::Who);
        let t = say(t.next, "Беков Серик - начальник отдела; Иванов И.");
        assert_eq!(t.next.step, Step::Confirm);
        assert!(t.replies[0].contains("Начальник требует откат 10%"));
        assert_eq!(
            t.next.draft.involved,
            vec![
                Involved {
                    name: "Беков Серик".into(),
                    position: Some("начальник отдела".into())
                },
                Involved {
                    name: "Иванов И.".into(),
                    position: None
                }
            ]
        );
        let t = say(t.next, "да");
        assert_eq!(t.action, Some(Action::File));
        let report = t.next.report_input();
        assert_eq!(report.what, "Начальник требует откат 10%");
        assert_eq!(report.language.as_deref(), Some("ru"));
        assert_eq!(report.contact, None, "a bot report stays anonymous");
        let id = Uuid::new_v4();
        let filing = Conversation {
            filing: Some(Filing {
                report: id,
                receipt: "1234".into(),
            }),
            ..t.next
        };
        // The filing survives being stored, and is gone once filed.
        let stored: Conversation =
            serde_json::from_slice(&serde_json::to_vec(&filing).unwrap()).unwrap();
        assert_eq!(stored, filing);
        let filed = stored.filed(id);
        assert_eq!(filed.step, Step::Filed);
        assert_eq!(filed.draft, ReportInput::default());
        assert_eq!(filed.filing, None);

        // Later messages go to the case.
        let t = say(filed.clone(), "Ещё деталь");
        assert_eq!(
            t.action,
            Some(Action::Forward {
                report: id,
                text: "Ещё деталь".into()
            })
        );
        assert_eq!(t.next, filed);
        // "new" starts another report, in the same language.
        let t = say(filed, "новый");
        assert_eq!(t.next.step, Step::What);
        assert_eq!(t.next.lang, Some(Lang::Ru));
        assert_eq!(t.next.report, Some(id));
        assert_eq!(t.action, None);
    }

    #[test]
    fn wrong_answers_repeat_the_question_and_change_nothing() {
        let c = say(Conversation::default(), "hi").next;
        let t = say(c.clone(), "German please");
        assert_eq!(t.next, c);
        assert_eq!(t.replies, vec![texts::ask_language()]);

        let c = say(c, "english").next;
        let long = "x".repeat(MAX_TEXT + 1);
        let t = say(c.clone(), &long);
        assert_eq!(t.next, c);
        assert!(t.replies[0].contains(&MAX_TEXT.to_string()));

        let mut confirm = c;
        confirm.step = Step::Confirm;
        confirm.draft.what = "a bribe".into();
        let t = say(confirm.clone(), "maybe");
        assert_eq!(t.next, confirm);
        assert_eq!(t.action, None);
        let t = say(confirm, "no");
        assert_eq!(t.next.step, Step::What);
        assert_eq!(t.next.draft, ReportInput::default());
    }

    #[test]
    fn media_is_answered_with_text_only_and_the_question_again() {
        let c = say(say(Conversation::default(), "hi").next, "1").next;
        assert_eq!(c.lang, Some(Lang::Kk));
        let t = c.clone().step(Incoming::Media, WEB);
        assert_eq!(t.next, c);
        assert_eq!(t.replies.len(), 2);
        assert!(t.replies[0].contains(WEB));
        assert_eq!(t.replies[1], texts::ask_what(Lang::Kk));
        // Before a language is chosen, in all three.
        let t = Conversation::default().step(Incoming::Media, WEB);
        assert!(t.replies[0].contains("text") && t.replies[0].contains("мәтін"));
    }

    #[test]
    fn an_empty_message_files_nothing_and_forwards_nothing() {
        let c = say(say(Conversation::default(), "hi").next, "3").next;
        let t = say(c.clone(), "   ");
        assert_eq!(t.next, c);
        assert_eq!(t.replies, vec![texts::ask_what(Lang::En)]);
        let filed = c.filed(Uuid::new_v4());
        let t = say(filed.clone(), " ");
        assert_eq!((t.next, t.action), (filed, None));
    }

    #[test]
    fn start_resets_everything_but_the_last_report() {
        let id = Uuid::new_v4();
        let c = Conversation {
            step: Step::Filed,
            lang: Some(Lang::En),
            report: Some(id),
            ..Conversation::default()
        };
        let t = say(c, "/start");
        assert_eq!(t.next.step, Step::Language);
        assert_eq!(t.next.lang, None);
        assert_eq!(t.next.report, Some(id));
    }

    #[test]
    fn every_text_exists_in_three_languages() {
        let draft = ReportInput {
            what: "w".into(),
            ..ReportInput::default()
        };
        for l in [Lang::Kk, Lang::Ru, Lang::En] {
            let all = [
                texts::ask_what(l),
                texts::ask_when(l),
                texts::ask_where(l),
                texts::ask_who(l),
                texts::ask_confirm(l),
                texts::summary(l, &draft),
                texts::forwarded(l),
                texts::closed(l),
                texts::too_long(l, 5),
                texts::filed(l, "1234 5678"),
                texts::from_handler(l, "hello"),
                texts::media_only(Some(l), WEB),
            ];
            for t in &all {
                assert!(!t.trim().is_empty());
            }
            // Each language its own words.
            let other = if l == Lang::En { Lang::Ru } else { Lang::En };
            assert_ne!(texts::ask_what(l), texts::ask_what(other));
        }
        assert!(texts::filed(Lang::En, "1234 5678").contains("1234 5678"));
    }
}
