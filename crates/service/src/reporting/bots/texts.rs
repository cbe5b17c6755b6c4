//! What the bots say, in Kazakh, Russian and English. Plain words: a
//! reporter may be writing from a phone in a hurry, and must understand
//! before anything else that the messaging provider sees who they are.

use crate::reporting::ReportInput;
use serde::{Deserialize, Serialize};

/// The language a conversation goes on in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Kk,
    #[default]
    Ru,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The reporter's answer to the language question: a number or a name.
    pub fn choose(answer: &str) -> Option<Lang> {
        match answer.trim().to_lowercase().as_str() {
            "1" | "kk" | "қазақша" | "қазақ" | "казахский" | "kazakh" => {
                Some(Lang::Kk)
            }
            "2" | "ru" | "русский" | "орысша" | "russian" => Some(Lang::Ru),
            "3" | "en" | "english" | "ағылшынша" | "английский" => {
                Some(Lang::En)
            }
            _ => None,
        }
    }

    /// The report's stored language code, if it is one of ours.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("kk") => Lang::Kk,
            Some("en") => Lang::En,
            _ => Lang::Ru,
        }
    }
}

fn pick(l: Lang, kk: &str, ru: &str, en: &str) -> String {
    match l {
        Lang::Kk => kk,
        Lang::Ru => ru,
        Lang::En => en,
    }
    .to_owned()
}

pub fn ask_language() -> String {
    "Тілді таңдаңыз / Выберите язык / Choose a language:\n1 — Қазақша\n2 — Русский\n3 — English"
        .to_owned()
}

/// The first answer, before a language is chosen: in all three, the
/// provider notice first.
pub fn welcome(web_channel: &str) -> String {
    format!(
        "Сыбайлас жемқорлық туралы хабарлама қабылдау арнасы.\n\
         Маңызды: WhatsApp немесе Telegram сіздің телефон нөміріңізді не аккаунтыңызды көреді. \
         Толық жасырын хабарлау үшін веб-форманы пайдаланыңыз: {web_channel}\n\n\
         Канал сообщений о коррупции.\n\
         Важно: WhatsApp или Telegram видит ваш номер телефона или аккаунт. \
         Чтобы сообщить полностью анонимно, используйте веб-форму: {web_channel}\n\n\
         A channel for reporting corruption.\n\
         Important: WhatsApp or Telegram sees your phone number or account. \
         To report fully anonymously, use the web form instead: {web_channel}\n\n{}",
        ask_language()
    )
}

pub fn ask_what(l: Lang) -> String {
    pick(
        l,
        "Не болғанын өз сөзіңізбен жазыңыз. Кез келген уақытта «жаңа» деп жазып, басынан бастауға болады.",
        "Опишите своими словами, что произошло. В любой момент можно написать «новый», чтобы начать заново.",
        "Describe in your own words what happened. You can write \"new\" at any time to start over.",
    )
}

pub fn ask_when(l: Lang) -> String {
    pick(
        l,
        "Бұл қашан болды? (өткізу үшін «-» жіберіңіз)",
        "Когда это было? (чтобы пропустить, отправьте «-»)",
        "When did it happen? (send \"-\" to skip)",
    )
}

pub fn ask_where(l: Lang) -> String {
    pick(
        l,
        "Қай жерде? (өткізу үшін «-»)",
        "Где? (чтобы пропустить, «-»)",
        "Where? (\"-\" to skip)",
    )
}

pub fn ask_who(l: Lang) -> String {
    pick(
        l,
        "Кім қатысты? Аты-жөнін және лауазымын жазыңыз, әр адамды «;» арқылы бөліңіз (өткізу үшін «-»).",
        "Кто причастен? Укажите имя и должность, разделяя людей знаком «;» (чтобы пропустить, «-»).",
        "Who is involved? Give names and positions, people separated by \";\" (\"-\" to skip).",
    )
}

pub fn ask_confirm(l: Lang) -> String {
    pick(
        l,
        "Жіберу үшін 1, басынан бастау үшін 2 жіберіңіз.",
        "Отправьте 1, чтобы подать сообщение, или 2, чтобы начать заново.",
        "Send 1 to file the report, or 2 to start over.",
    )
}

/// The draft, for the reporter to confirm.
pub fn summary(l: Lang, d: &ReportInput) -> String {
    let none = pick(l, "көрсетілмеген", "не указано", "not given");
    let (what, when, place, who) = match l {
        Lang::Kk => ("Не болды", "Қашан", "Қай жерде", "Кім"),
        Lang::Ru => ("Что произошло", "Когда", "Где", "Кто"),
        Lang::En => ("What happened", "When", "Where", "Who"),
    };
    let people = d
        .involved
        .iter()
        .map(|i| match &i.position {
            Some(p) => format!("{} ({p})", i.name),
            None => i.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "{what}: {}\n{when}: {}\n{place}: {}\n{who}: {}\n\n{}",
        d.what,
        d.when.as_deref().unwrap_or(&none),
        d.place.as_deref().unwrap_or(&none),
        if people.is_empty() { &none } else { &people },
        ask_confirm(l)
    )
}

/// The receipt, once: the same code as the web form's.
pub fn filed(l: Lang, receipt: &str) -> String {
    match l {
        Lang::Kk => format!(
            "Хабарламаңыз қабылданды. Түбіртек коды:\n{receipt}\n\
             Оны сақтап қойыңыз: ол қайта көрсетілмейді және қалпына келтірілмейді. \
             Осы кодпен веб-арнада істің барысын көре аласыз. Осы чатқа жазған хабарламаларыңыз іске қосылады; \
             жаңа хабарлама үшін «жаңа» деп жазыңыз."
        ),
        Lang::Ru => format!(
            "Ваше сообщение принято. Код квитанции:\n{receipt}\n\
             Сохраните его: он больше не будет показан и не может быть восстановлен. \
             По этому коду можно следить за делом в веб-канале. Что вы напишете в этот чат, будет добавлено к делу; \
             чтобы подать новое сообщение, напишите «новый»."
        ),
        Lang::En => format!(
            "Your report has been received. Receipt code:\n{receipt}\n\
             Keep it: it will not be shown again and cannot be recovered. \
             With it you can follow the case on the web channel. What you write in this chat is added to the case; \
             write \"new\" to file another report."
        ),
    }
}

pub fn forwarded(l: Lang) -> String {
    pick(
        l,
        "Хабарламаңыз іс жүргізушілерге жіберілді.",
        "Ваше сообщение передано тем, кто ведёт дело.",
        "Your message has been passed to the case handlers.",
    )
}

pub fn closed(l: Lang) -> String {
    pick(
        l,
        "Бұл іс жабылды. Жаңа хабарлама беру үшін «жаңа» деп жазыңыз.",
        "Это дело закрыто. Чтобы подать новое сообщение, напишите «новый».",
        "This case is closed. Write \"new\" to file a new report.",
    )
}

pub fn too_long(l: Lang, max: usize) -> String {
    match l {
        Lang::Kk => format!("Тым ұзын: ең көбі {max} таңба. Қысқартып, қайта жіберіңіз."),
        Lang::Ru => {
            format!("Слишком длинно: не более {max} символов. Сократите и отправьте снова.")
        }
        Lang::En => {
            format!("Too long: at most {max} characters. Please shorten it and send again.")
        }
    }
}

/// A handler's message to the reporter.
pub fn from_handler(l: Lang, body: &str) -> String {
    let head = pick(
        l,
        "Іс жүргізушіден хабарлама:",
        "Сообщение от ведущего дело:",
        "Message from the case handler:",
    );
    format!("{head}\n{body}")
}

/// Media are not taken: text only. Neither channel takes files yet
/// (docs/reporting.md), so the reporter is asked for words.
pub fn media_only(l: Option<Lang>, web_channel: &str) -> String {
    let kk = format!(
        "Бот тек мәтінді қабылдайды: сурет не құжатта не бар екенін сөзбен жазыңыз. Веб-форма: {web_channel}"
    );
    let ru = format!(
        "Бот принимает только текст: опишите словами, что на фото или в документе. Веб-форма: {web_channel}"
    );
    let en = format!(
        "This bot takes text only: describe in words what the photo or document shows. The web form: {web_channel}"
    );
    match l {
        Some(l) => pick(l, &kk, &ru, &en),
        None => format!("{kk}\n{ru}\n{en}"),
    }
}
