//! The report as a reporter writes it, and its checks: every problem
//! names its field.

use super::{MAX_INVOLVED, MAX_SHORT, MAX_TEXT};
use crate::{Detail, ServiceError, ServiceResult};
use serde::{Deserialize, Serialize};

/// A report as the reporter writes it; sealed whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    /// What happened.
    pub what: String,
    /// When, in the reporter's words.
    #[serde(default)]
    pub when: Option<String>,
    /// Where, in the reporter's words.
    #[serde(default, rename = "where")]
    pub place: Option<String>,
    /// Who is involved.
    #[serde(default)]
    pub involved: Vec<Involved>,
    /// How to reach the reporter, if they want to be reached outside the
    /// channel; empty keeps the report anonymous.
    #[serde(default)]
    pub contact: Option<String>,
    /// `kk`, `ru` or `en`: the language the reporter wrote in.
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involved {
    pub name: String,
    #[serde(default)]
    pub position: Option<String>,
}

pub(crate) fn short(pointer: &str, v: &Option<String>, out: &mut Vec<Detail>) -> Option<String> {
    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    if v.chars().count() > MAX_SHORT {
        out.push(coded(
            pointer,
            "text.too_long",
            format!("at most {MAX_SHORT} characters"),
        ));
    }
    Some(v.to_owned())
}

pub(crate) fn coded(pointer: &str, code: &str, message: impl Into<String>) -> Detail {
    Detail {
        pointer: pointer.to_owned(),
        code: code.to_owned(),
        message: message.into(),
        ..Detail::default()
    }
}

/// Checks a report and trims it; every problem names its field.
pub fn validate_report(input: &ReportInput) -> ServiceResult<ReportInput> {
    let mut errors = Vec::new();
    let what = input.what.trim();
    if what.is_empty() {
        errors.push(coded("/what", "text.empty", "say what happened"));
    } else if what.chars().count() > MAX_TEXT {
        errors.push(coded(
            "/what",
            "text.too_long",
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    let when = short("/when", &input.when, &mut errors);
    let place = short("/where", &input.place, &mut errors);
    let contact = short("/contact", &input.contact, &mut errors);
    if input.involved.len() > MAX_INVOLVED {
        errors.push(coded(
            "/involved",
            "list.too_long",
            format!("at most {MAX_INVOLVED} people"),
        ));
    }
    let mut involved = Vec::new();
    for (i, p) in input.involved.iter().take(MAX_INVOLVED).enumerate() {
        let Some(name) = short(
            &format!("/involved/{i}/name"),
            &Some(p.name.clone()),
            &mut errors,
        ) else {
            errors.push(coded(
                &format!("/involved/{i}/name"),
                "text.empty",
                "a name, or leave the person out",
            ));
            continue;
        };
        let position = short(&format!("/involved/{i}/position"), &p.position, &mut errors);
        involved.push(Involved { name, position });
    }
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l @ ("kk" | "ru" | "en")) => Some(l.to_owned()),
        Some(_) => {
            errors.push(coded("/language", "choice.unknown", "one of kk, ru, en"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid {
            message: "the report is not complete".into(),
            details: errors,
        });
    }
    Ok(ReportInput {
        what: what.to_owned(),
        when,
        place,
        involved,
        contact,
        language,
    })
}
