//! Screening a candidate against the public registry of persons convicted
//! of corruption offences, before an HR action is recorded: the entries
//! that concern the person, each with its score and reason
//! (`docs/registry.md`, "Screening"). The rule
//! `candidate-in-convicted-registry` runs the same lookup on every HR
//! action filed; this is the officer's look before deciding.

use crate::{ServiceResult, TenantCtx};
use adal_domain::{FieldError, Iin};
use adal_store::Store;
use adal_store::audit;
use adal_store::registry::{self, Match};

/// Longest name a screening takes, in characters: as long as a record's.
const MAX_NAME: usize = 300;

/// A screening request, checked: who is screened.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub iin: Iin,
    pub full_name: String,
}

impl Candidate {
    /// The request's fields checked, or every error with its pointer.
    pub fn parse(iin: &str, full_name: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let iin = match Iin::parse(iin.trim()) {
            Ok(i) => Some(i),
            Err(e) => {
                errors.push(FieldError::coded(
                    "/iin",
                    "iin.invalid",
                    format!("invalid IIN: {e}"),
                ));
                None
            }
        };
        let name = full_name.trim();
        check_name("/full_name", name, &mut errors);
        match iin {
            Some(iin) if errors.is_empty() => Ok(Self {
                iin,
                full_name: name.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// A name to look for: at most [`MAX_NAME`] characters, with letters.
fn check_name(pointer: &str, name: &str, errors: &mut Vec<FieldError>) {
    if name.chars().count() > MAX_NAME {
        errors.push(FieldError::coded(
            pointer,
            "text.too_long",
            format!("must be at most {MAX_NAME} characters"),
        ));
    } else if adal_names::name_parts(name).is_empty() {
        errors.push(FieldError::coded(
            pointer,
            "name.no_letters",
            "must contain letters",
        ));
    }
}

/// A public search of the registry, checked: a name (any spelling, at
/// `/name`) and an IIN (at `/iin`), each optional; blank is absent. The
/// API and the public page take the same.
pub fn registry_search(
    name: Option<&str>,
    iin: Option<&str>,
) -> Result<registry::Search, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = name {
        check_name("/name", n, &mut errors);
    }
    let iin = match iin.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match Iin::parse(s) {
            Ok(i) => Some(i),
            Err(e) => {
                errors.push(FieldError::coded(
                    "/iin",
                    "iin.invalid",
                    format!("invalid IIN: {e}"),
                ));
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(registry::Search {
            name: name.map(str::to_owned),
            iin,
        })
    } else {
        Err(errors)
    }
}

/// The entries that concern `candidate`, surest first. The screening is
/// recorded in the tenant's audit log (who screened, how many matches and
/// the best score; not whom, so the log, which cannot be edited, holds no
/// personal data to erase later).
pub async fn screen(
    store: &Store,
    ctx: &TenantCtx,
    candidate: &Candidate,
) -> ServiceResult<Vec<Match>> {
    let found = registry::matches_for_person(store, &candidate.iin, &candidate.full_name).await?;
    audit::record(
        store,
        ctx.tenant(),
        &ctx.caller().user_id.to_string(),
        "registry.screening",
        "convicted_registry",
        serde_json::json!({
            "matches": found.len(),
            "best_score": found.iter().map(Match::score).max(),
        }),
    )
    .await?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::Candidate;

    fn pointers(r: Result<Candidate, Vec<adal_domain::FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.pointer)
            .collect()
    }

    #[test]
    fn a_candidate_needs_a_valid_iin_and_a_name_with_letters() {
        let ok = Candidate::parse(" 900115300013 ", "  Марат Оспанов ").unwrap();
        assert_eq!(
            (ok.iin.as_str(), ok.full_name.as_str()),
            ("900115300013", "Марат Оспанов")
        );
        assert_eq!(
            pointers(Candidate::parse("900115300014", "Marat")),
            ["/iin"]
        );
        assert_eq!(
            pointers(Candidate::parse("900115300013", "1234 --")),
            ["/full_name"]
        );
        assert_eq!(
            pointers(Candidate::parse("", &"a".repeat(301))),
            ["/iin", "/full_name"]
        );
    }
}
