//! An entry of the public registry of persons convicted of corruption
//! offences, as the Agency's auditors enter it.

use crate::records::Checks;
use crate::{Date, FieldError, Iin, Label, Name};
use chrono::NaiveDate;

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
    /// When the entry stops applying (the conviction expunged or the ban
    /// on public service over), when known.
    pub applies_until: Option<Date>,
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
        let entry = match (
            full_name,
            iin,
            date_of_birth,
            offence_article,
            convicted_on,
            court,
            applies_until,
        ) {
            (Ok(full_name), Ok(iin), Ok(dob), Ok(article), Ok(on), Ok(court), Ok(until)) => Self {
                full_name,
                iin,
                date_of_birth: dob,
                offence_article: article,
                convicted_on: on,
                court,
                applies_until: until,
            },
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
                "/applies_until"
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
        assert_eq!(
            pointers,
            ["/convicted_on", "/applies_until", "/date_of_birth"]
        );
        assert!(errors[2].message.contains("1990-01-15"), "{}", errors[2]);
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
