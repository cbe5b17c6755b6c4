//! An entry of the public registry of persons convicted of corruption
//! offences, as the Agency's auditors enter it.

use crate::org::closed_enum;
use crate::records::Checks;
use crate::{Date, FieldError, Iin, Label, Name, Note};
use chrono::NaiveDate;

closed_enum!(
    /// The main punishment a court imposed, as the Criminal Code lists
    /// them (article 40), with `other` for what these do not name.
    Punishment {
        Fine => "fine",
        CorrectionalLabour => "correctional_labour",
        CommunityService => "community_service",
        RestrictionOfFreedom => "restriction_of_freedom",
        Imprisonment => "imprisonment",
        Other => "other",
    }
);

/// The registry entry's fields as they arrive, before any check.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConvictedPersonFields<'a> {
    pub full_name: &'a str,
    pub iin: Option<&'a str>,
    pub date_of_birth: Option<&'a str>,
    pub offence_article: &'a str,
    pub convicted_on: &'a str,
    pub court: &'a str,
    pub applies_until: Option<&'a str>,
    pub workplace: Option<&'a str>,
    pub position_held: Option<&'a str>,
    pub offence_description: Option<&'a str>,
    pub case_number: Option<&'a str>,
    pub ruling_in_force_on: Option<&'a str>,
    pub punishment: Option<&'a str>,
    pub punishment_term: Option<&'a str>,
    pub source: Option<&'a str>,
}

/// A checked registry entry: every field valid and the dates consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvictedPerson {
    pub full_name: Name,
    /// Optional: older judgments and foreign nationals may lack one.
    pub iin: Option<Iin>,
    pub date_of_birth: Option<Date>,
    /// The article of the Criminal Code, e.g. "366 part 2".
    pub offence_article: Label,
    pub convicted_on: Date,
    pub court: Name,
    /// When the entry stops applying and leaves public view (its
    /// publication period over, the conviction expunged or the ban on
    /// public service over), when known.
    pub applies_until: Option<Date>,
    /// The details the law has the registry publish: place of work and
    /// position at the time of the offence, the offence in words, the
    /// ruling's case number and the day it entered into force, the
    /// punishment and its term, and where the entry comes from.
    pub details: Details,
}

/// An entry's further details, each optional (older judgments lack some).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    pub workplace: Option<Name>,
    pub position_held: Option<Name>,
    pub offence_description: Option<Note>,
    pub case_number: Option<Label>,
    pub ruling_in_force_on: Option<Date>,
    pub punishment: Option<Punishment>,
    /// In words: "5 years", "3 years 6 months", "2,000 MCI".
    pub punishment_term: Option<Label>,
    /// The ruling's publication or the list it was imported from.
    pub source: Option<Name>,
}

fn opt(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// An optional text field: absent or blank is `None`; anything else must
/// be valid text of at most `MAX` characters, or it is reported at
/// `pointer`.
fn optional_text<const MAX: usize>(
    value: Option<&str>,
    pointer: &str,
    field: &mut impl FnMut(&str, &'static str, String),
) -> Option<crate::Text<MAX>> {
    value.and_then(|v| {
        crate::Text::<MAX>::parse(v)
            .map_err(|e| field(pointer, e.code(), e.to_string()))
            .ok()
    })
}

impl ConvictedPerson {
    /// Checks every field and reports every failure, each at its JSON
    /// pointer. `today` is the date in Kazakhstan.
    pub fn parse(f: ConvictedPersonFields<'_>, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut field = |pointer: &str, code: &'static str, e: String| {
            errors.push(FieldError::coded(pointer, code, e));
        };
        let full_name =
            Name::parse(f.full_name).map_err(|e| field("/full_name", e.code(), e.to_string()));
        let iin = f
            .iin
            .map(|s| {
                Iin::parse(s.trim())
                    .map_err(|e| field("/iin", e.iin_code(), format!("invalid IIN: {e}")))
            })
            .transpose();
        let date_of_birth = f
            .date_of_birth
            .map(|s| Date::parse(s).map_err(|e| field("/date_of_birth", e.code(), e.to_string())))
            .transpose();
        let offence_article = Label::parse(f.offence_article)
            .map_err(|e| field("/offence_article", e.code(), e.to_string()));
        let convicted_on = Date::parse(f.convicted_on)
            .map_err(|e| field("/convicted_on", e.code(), e.to_string()));
        let court = Name::parse(f.court).map_err(|e| field("/court", e.code(), e.to_string()));
        let applies_until = f
            .applies_until
            .map(|s| Date::parse(s).map_err(|e| field("/applies_until", e.code(), e.to_string())))
            .transpose();
        let details = Details {
            workplace: optional_text(opt(f.workplace), "/workplace", &mut field),
            position_held: optional_text(opt(f.position_held), "/position_held", &mut field),
            offence_description: optional_text(
                opt(f.offence_description),
                "/offence_description",
                &mut field,
            ),
            case_number: optional_text(opt(f.case_number), "/case_number", &mut field),
            ruling_in_force_on: opt(f.ruling_in_force_on).and_then(|s| {
                Date::parse(s)
                    .map_err(|e| field("/ruling_in_force_on", e.code(), e.to_string()))
                    .ok()
            }),
            punishment: opt(f.punishment).and_then(|s| {
                Punishment::parse(s)
                    .map_err(|e| field("/punishment", e.code(), e.to_string()))
                    .ok()
            }),
            punishment_term: optional_text(opt(f.punishment_term), "/punishment_term", &mut field),
            source: optional_text(opt(f.source), "/source", &mut field),
        };
        let entry = match (
            full_name,
            iin,
            date_of_birth,
            offence_article,
            convicted_on,
            court,
            applies_until,
        ) {
            (Ok(full_name), Ok(iin), Ok(dob), Ok(article), Ok(on), Ok(court), Ok(until))
                if errors.is_empty() =>
            {
                Self {
                    full_name,
                    iin,
                    date_of_birth: dob,
                    offence_article: article,
                    convicted_on: on,
                    court,
                    applies_until: until,
                    details,
                }
            }
            _ => return Err(errors),
        };
        let errors = entry.date_errors(today);
        if errors.is_empty() {
            Ok(entry)
        } else {
            Err(errors)
        }
    }

    /// The dates against each other, today, and the IIN's date of birth.
    fn date_errors(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/convicted_on", self.convicted_on, today);
        c.ordered(
            "/applies_until",
            self.convicted_on,
            self.applies_until,
            "convicted_on",
        );
        if let Some(d) = self.details.ruling_in_force_on {
            c.not_future("/ruling_in_force_on", d, today);
        }
        c.ordered(
            "/ruling_in_force_on",
            self.convicted_on,
            self.details.ruling_in_force_on,
            "convicted_on",
        );
        if let Some(dob) = self.date_of_birth {
            c.not_future("/date_of_birth", dob, today);
            c.ordered(
                "/convicted_on",
                dob,
                Some(self.convicted_on),
                "date_of_birth",
            );
            if let Some(born) = self.iin.as_ref().and_then(Iin::birth_date)
                && born != dob.get()
            {
                c.fail(
                    "/date_of_birth",
                    "date.iin_mismatch",
                    format!("does not match the IIN, which gives {born}"),
                );
            }
        }
        c.done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::with_check_digit;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn fields<'a>(iin: &'a str) -> ConvictedPersonFields<'a> {
        ConvictedPersonFields {
            full_name: "Оспанов Марат Серикович",
            iin: Some(iin),
            date_of_birth: Some("1990-01-15"),
            offence_article: "366 part 2",
            convicted_on: "2024-03-01",
            court: "Specialised inter-district criminal court of Astana",
            applies_until: Some("2029-03-01"),
            workplace: Some("Akimat of Astana"),
            position_held: Some("Head of the procurement department"),
            offence_description: Some("Took a bribe for awarding a contract"),
            case_number: Some("7194-24-00-1/215"),
            ruling_in_force_on: Some("2024-04-02"),
            punishment: Some("imprisonment"),
            punishment_term: Some("5 years"),
            source: Some("Supreme Court judicial acts bank"),
        }
    }

    #[test]
    fn a_complete_entry_parses() {
        let iin = with_check_digit("90011530001").unwrap();
        let e = ConvictedPerson::parse(fields(&iin), today()).unwrap();
        assert_eq!(e.iin.unwrap().as_str(), iin);
        assert_eq!(e.applies_until.unwrap().to_string(), "2029-03-01");
    }

    #[test]
    fn every_bad_field_is_reported_at_its_pointer() {
        let f = ConvictedPersonFields {
            full_name: "  ",
            iin: Some("900115300012"),
            date_of_birth: Some("15.01.1990"),
            offence_article: "",
            convicted_on: "2024-3-1",
            court: "",
            applies_until: Some("soon"),
            punishment: Some("flogging"),
            ruling_in_force_on: Some("tomorrow"),
            ..Default::default()
        };
        let errors = ConvictedPerson::parse(f, today()).unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/full_name",
                "/iin",
                "/date_of_birth",
                "/offence_article",
                "/convicted_on",
                "/court",
                "/applies_until",
                "/ruling_in_force_on",
                "/punishment"
            ]
        );
    }

    #[test]
    fn dates_must_agree_with_each_other_and_the_iin() {
        let iin = with_check_digit("90011530001").unwrap();
        let mut f = fields(&iin);
        f.date_of_birth = Some("1991-01-15");
        f.applies_until = Some("2020-01-01");
        f.convicted_on = "2027-01-01";
        let errors = ConvictedPerson::parse(f, today()).unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        // The ruling cannot enter into force before the conviction.
        assert_eq!(
            pointers,
            [
                "/convicted_on",
                "/applies_until",
                "/ruling_in_force_on",
                "/date_of_birth"
            ]
        );
        assert!(errors[3].message.contains("1990-01-15"), "{}", errors[3]);
    }

    #[test]
    fn iin_and_dates_are_optional() {
        let f = ConvictedPersonFields {
            iin: None,
            date_of_birth: None,
            applies_until: None,
            ..fields("")
        };
        let e = ConvictedPerson::parse(f, today()).unwrap();
        assert!(e.iin.is_none() && e.date_of_birth.is_none() && e.applies_until.is_none());
    }
}
