//! The public registry of persons convicted of corruption offences. Anyone
//! may search it without signing in, as on the Agency's own portal; only
//! the Agency's auditors add and remove entries.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use adal_authz::{act, obj};
use adal_domain::{ConvictedPerson, ConvictedPersonFields};
use adal_service::authorize_platform;
use adal_service::screening;
use adal_store::registry::{self, RegistryEntry, Search};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, payload::Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The public registry of persons convicted of corruption offences
    Registry,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewConvictedPerson {
    /// As the judgment writes it, in any script.
    pub full_name: String,
    /// Individual identification number: 12 digits with a valid check
    /// digit. Optional (older judgments, foreign nationals).
    #[oai(nullable)]
    pub iin: Option<String>,
    /// `YYYY-MM-DD`; when the IIN is given, it must be the date the IIN
    /// encodes.
    #[oai(nullable)]
    pub date_of_birth: Option<String>,
    /// The article of the Criminal Code, e.g. `366 part 2`.
    pub offence_article: String,
    /// `YYYY-MM-DD`, not in the future.
    pub convicted_on: String,
    pub court: String,
    /// `YYYY-MM-DD`: when the entry stops applying (the conviction
    /// expunged, the ban on public service over), if known; not before
    /// `convicted_on`.
    #[oai(nullable)]
    pub applies_until: Option<String>,
    /// Place of work at the time of the offence.
    #[oai(nullable)]
    #[serde(default)]
    pub workplace: Option<String>,
    /// Position held at the time of the offence.
    #[oai(nullable)]
    #[serde(default)]
    pub position_held: Option<String>,
    /// The offence in words (up to 2,000 characters).
    #[oai(nullable)]
    #[serde(default)]
    pub offence_description: Option<String>,
    /// The ruling's case number.
    #[oai(nullable)]
    #[serde(default)]
    pub case_number: Option<String>,
    /// `YYYY-MM-DD`: the day the ruling entered into force; not before `convicted_on`, not in the future.
    #[oai(nullable)]
    #[serde(default)]
    pub ruling_in_force_on: Option<String>,
    /// The main punishment: `fine`, `correctional_labour`, `community_service`, `restriction_of_freedom`, `imprisonment` or `other`.
    #[oai(nullable)]
    #[serde(default)]
    pub punishment: Option<String>,
    /// Its term or amount in words: `5 years`, `2,000 MCI`.
    #[oai(nullable)]
    #[serde(default)]
    pub punishment_term: Option<String>,
    /// Where the entry comes from: the ruling's publication, the list it was imported from.
    #[oai(nullable)]
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Object)]
pub struct ConvictedPersonOut {
    pub id: Uuid,
    pub full_name: String,
    #[oai(nullable)]
    pub iin: Option<String>,
    #[oai(nullable)]
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub offence_article: String,
    pub convicted_on: chrono::NaiveDate,
    pub court: String,
    #[oai(nullable)]
    pub applies_until: Option<chrono::NaiveDate>,
    #[oai(nullable)]
    pub workplace: Option<String>,
    #[oai(nullable)]
    pub position_held: Option<String>,
    #[oai(nullable)]
    pub offence_description: Option<String>,
    #[oai(nullable)]
    pub case_number: Option<String>,
    #[oai(nullable)]
    pub ruling_in_force_on: Option<chrono::NaiveDate>,
    #[oai(nullable)]
    pub punishment: Option<String>,
    #[oai(nullable)]
    pub punishment_term: Option<String>,
    #[oai(nullable)]
    pub source: Option<String>,
    /// When the entry was added to the registry.
    pub added_at: chrono::DateTime<chrono::Utc>,
}

impl From<RegistryEntry> for ConvictedPersonOut {
    fn from(e: RegistryEntry) -> Self {
        Self {
            id: e.id,
            full_name: e.full_name,
            iin: e.iin,
            date_of_birth: e.date_of_birth,
            offence_article: e.offence_article,
            convicted_on: e.convicted_on,
            court: e.court,
            applies_until: e.applies_until,
            workplace: e.workplace,
            position_held: e.position_held,
            offence_description: e.offence_description,
            case_number: e.case_number,
            ruling_in_force_on: e.ruling_in_force_on,
            punishment: e.punishment,
            punishment_term: e.punishment_term,
            source: e.source,
            added_at: e.created_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ConvictedPersonPage {
    pub items: Vec<ConvictedPersonOut>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(ApiResponse)]
enum SearchResponse {
    #[oai(status = 200)]
    Ok(Json<ConvictedPersonPage>),
}

#[derive(ApiResponse)]
enum GetResponse {
    #[oai(status = 200)]
    Ok(Json<ConvictedPersonOut>),
}

/// One row of an import: its line in the file, the entry it became, or
/// what is wrong with it.
#[derive(Debug, Object)]
pub struct RegistryImportRow {
    pub line: u64,
    #[oai(nullable)]
    pub id: Option<Uuid>,
    /// Each bad column: `pointer` is `/<column>`.
    pub errors: Vec<crate::error::ErrorDetail>,
}

#[derive(Debug, Object)]
pub struct RegistryImportOut {
    pub accepted: u64,
    pub rejected: u64,
    /// SHA-256 of the file, as the audit log records it.
    pub sha256: String,
    pub rows: Vec<RegistryImportRow>,
}

#[derive(ApiResponse)]
enum RegistryImportResponse {
    #[oai(status = 200)]
    Ok(Json<RegistryImportOut>),
}

#[derive(ApiResponse)]
enum CreateResponse {
    #[oai(status = 201)]
    Created(Json<ConvictedPersonOut>),
}

#[derive(ApiResponse)]
enum RemoveResponse {
    #[oai(status = 204)]
    Removed,
}

/// Whom to screen against the registry.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ScreeningRequest {
    /// The candidate's IIN: 12 digits with a valid check digit.
    pub iin: String,
    /// The candidate's full name, in any script.
    pub full_name: String,
}

/// A registry entry that concerns the candidate.
#[derive(Debug, Object)]
pub struct ScreeningMatch {
    pub entry: ConvictedPersonOut,
    /// `iin` or `name`.
    pub matched_by: String,
    /// How sure the match is: 100 for the same IIN; a name match scores
    /// 30, plus up to 40 for the share of name parts in common, plus 20
    /// when the entry's date of birth agrees with the IIN's (at most 90).
    pub score: u8,
    /// Why, in a sentence.
    pub reason: String,
    /// For a name match: name parts in both names.
    #[oai(nullable)]
    pub name_parts_agreeing: Option<u8>,
    /// For a name match: parts of the longer name.
    #[oai(nullable)]
    pub name_parts: Option<u8>,
    /// For a name match: `agrees` or `not_recorded`.
    #[oai(nullable)]
    pub birth_date: Option<String>,
}

impl From<registry::Match> for ScreeningMatch {
    fn from(m: registry::Match) -> Self {
        let (agreeing, parts, birth_date) = match m.reason {
            registry::MatchReason::Iin => (None, None, None),
            registry::MatchReason::Name {
                agreeing,
                parts,
                birth_date,
            } => (
                Some(agreeing),
                Some(parts),
                Some(birth_date.as_str().to_owned()),
            ),
        };
        Self {
            matched_by: m.matched_by().as_str().to_owned(),
            score: m.score(),
            reason: m.reason.describe(),
            name_parts_agreeing: agreeing,
            name_parts: parts,
            birth_date,
            entry: m.entry.into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct ScreeningOut {
    /// Surest first; empty when the registry holds nothing on the person.
    pub matches: Vec<ScreeningMatch>,
}

#[derive(ApiResponse)]
enum ScreeningResponse {
    #[oai(status = 200)]
    Ok(Json<ScreeningOut>),
}

fn search_of(name: Option<String>, iin: Option<String>) -> ApiResult<Search> {
    screening::registry_search(name.as_deref(), iin.as_deref()).map_err(ApiError::invalid)
}

pub struct RegistryApi;

#[OpenApi]
impl RegistryApi {
    /// Search the registry by name (any spelling: Kazakh or Russian
    /// Cyrillic, Latin; every part given must be in the entry's name) and
    /// by IIN. Public: no sign-in needed. Newest convictions first.
    #[oai(
        path = "/registry/convicted",
        method = "get",
        tag = "ApiTags::Registry",
        operation_id = "searchConvictedRegistry"
    )]
    async fn search(
        &self,
        state: Data<&AppState>,
        name: Query<Option<String>>,
        iin: Query<Option<String>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<SearchResponse> {
        let (offset, limit) = crate::page(offset.0, limit.0)?;
        let search = search_of(name.0, iin.0)?;
        let (rows, total) = registry::search(&state.store, &search, offset, limit).await?;
        Ok(SearchResponse::Ok(Json(ConvictedPersonPage {
            items: rows.into_iter().map(Into::into).collect(),
            total,
            offset,
            limit,
        })))
    }

    /// Screen a candidate against the registry before an HR action:
    /// whoever records HR actions in the tenant. The entries that concern
    /// the person (by IIN; by name in any spelling when no entry has the
    /// IIN), each with a score and the reason. Recorded in the tenant's
    /// audit log without the candidate's identity.
    #[oai(
        path = "/tenants/:tenant_id/screenings",
        method = "post",
        tag = "ApiTags::Registry",
        operation_id = "screenCandidate"
    )]
    async fn screen(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<ScreeningRequest>,
    ) -> ApiResult<ScreeningResponse> {
        let ctx = adal_service::TenantCtx::authorize(
            &state,
            &auth.0,
            tenant_id.0,
            obj::HR_ACTIONS,
            act::CREATE,
        )
        .await?;
        let candidate = screening::Candidate::parse(&body.0.iin, &body.0.full_name)
            .map_err(ApiError::invalid)?;
        let found = screening::screen(&state.store, &ctx, &candidate).await?;
        Ok(ScreeningResponse::Ok(Json(ScreeningOut {
            matches: found.into_iter().map(Into::into).collect(),
        })))
    }

    /// One entry of the registry. Public.
    #[oai(
        path = "/registry/convicted/:id",
        method = "get",
        tag = "ApiTags::Registry",
        operation_id = "getConvictedPerson"
    )]
    async fn get(&self, state: Data<&AppState>, id: Path<Uuid>) -> ApiResult<GetResponse> {
        let e = registry::get(&state.store, id.0).await.map_err(not_found)?;
        Ok(GetResponse::Ok(Json(e.into())))
    }

    /// Add an entry (Agency auditors only). Audited.
    #[oai(
        path = "/registry/convicted",
        method = "post",
        tag = "ApiTags::Registry",
        operation_id = "addConvictedPerson"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewConvictedPerson>,
    ) -> ApiResult<CreateResponse> {
        authorize_platform(&state, &auth.0, obj::CONVICTED_REGISTRY, act::WRITE).await?;
        let b = &body.0;
        let entry = ConvictedPerson::parse(
            ConvictedPersonFields {
                full_name: &b.full_name,
                iin: b.iin.as_deref(),
                date_of_birth: b.date_of_birth.as_deref(),
                offence_article: &b.offence_article,
                convicted_on: &b.convicted_on,
                court: &b.court,
                applies_until: b.applies_until.as_deref(),
                workplace: b.workplace.as_deref(),
                position_held: b.position_held.as_deref(),
                offence_description: b.offence_description.as_deref(),
                case_number: b.case_number.as_deref(),
                ruling_in_force_on: b.ruling_in_force_on.as_deref(),
                punishment: b.punishment.as_deref(),
                punishment_term: b.punishment_term.as_deref(),
                source: b.source.as_deref(),
            },
            adal_domain::kazakhstan_today(),
        )
        .map_err(ApiError::invalid)?;
        let row = registry::create(&state.store, auth.0.user_id, &entry).await?;
        Ok(CreateResponse::Created(Json(row.into())))
    }

    /// Add many entries from a CSV file (Agency auditors only): a header
    /// row naming the columns (the fields of an entry, any order; unknown
    /// columns are refused), then one entry per row. Every valid row is
    /// added, in one transaction; every invalid one is reported with its
    /// line and each bad column, and nothing of it is stored. At most
    /// 10,000 rows. `source` is the provenance of rows without their own.
    /// Audited: an entry per added row, and one for the import with the
    /// file's SHA-256.
    #[oai(
        path = "/registry/convicted/import",
        method = "post",
        tag = "ApiTags::Registry",
        operation_id = "importConvictedPersons"
    )]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        source: Query<Option<String>>,
        body: crate::body::Upload,
    ) -> ApiResult<RegistryImportResponse> {
        authorize_platform(&state, &auth.0, obj::CONVICTED_REGISTRY, act::WRITE).await?;
        let source = source.0.filter(|s| !s.trim().is_empty());
        if source.as_ref().is_some_and(|s| s.chars().count() > 300) {
            return Err(ApiError::bad_request("source: at most 300 characters"));
        }
        let parsed = crate::registry_import::parse(&body.0, source.as_deref())?;
        let digest = {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(body.0.as_bytes()))
        };
        let entries: Vec<ConvictedPerson> = parsed.iter().filter_map(|r| r.entry.clone()).collect();
        let provenance = serde_json::json!({
            "source": source, "sha256": digest, "rows": parsed.len(),
            "accepted": entries.len(), "rejected": parsed.len() - entries.len(),
        });
        let added = if entries.is_empty() {
            Vec::new()
        } else {
            registry::create_many(&state.store, auth.0.user_id, &entries, provenance).await?
        };
        let mut ids = added.into_iter().map(|r| r.id);
        let rows: Vec<RegistryImportRow> = parsed
            .into_iter()
            .map(|r| RegistryImportRow {
                line: r.line,
                id: r.entry.as_ref().and_then(|_| ids.next()),
                errors: r.errors.into_iter().map(Into::into).collect(),
            })
            .collect();
        let accepted = rows.iter().filter(|r| r.id.is_some()).count() as u64;
        Ok(RegistryImportResponse::Ok(Json(RegistryImportOut {
            accepted,
            rejected: rows.len() as u64 - accepted,
            sha256: digest,
            rows,
        })))
    }

    /// Remove an entry (Agency auditors only). Audited; the entry stays
    /// stored, marked as removed.
    #[oai(
        path = "/registry/convicted/:id",
        method = "delete",
        tag = "ApiTags::Registry",
        operation_id = "removeConvictedPerson"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// Why: `withdrawn` (the default), `expunged` (the conviction was
        /// expunged) or `entered_in_error`.
        reason: Query<Option<String>>,
    ) -> ApiResult<RemoveResponse> {
        authorize_platform(&state, &auth.0, obj::CONVICTED_REGISTRY, act::WRITE).await?;
        let reason = match reason.0.as_deref() {
            None | Some("") => registry::RemovalReason::Withdrawn,
            Some(r) => registry::RemovalReason::parse(r).ok_or_else(|| {
                ApiError::bad_request("reason: one of withdrawn, expunged, entered_in_error")
            })?,
        };
        registry::remove(&state.store, auth.0.user_id, id.0, reason)
            .await
            .map_err(not_found)?;
        Ok(RemoveResponse::Removed)
    }
}

fn not_found(e: adal_store::StoreError) -> ApiError {
    match e {
        adal_store::StoreError::NotFound => ApiError::not_found("registry entry"),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointers(r: ApiResult<Search>) -> Vec<String> {
        match r {
            Err(ApiError::Unprocessable(b)) => b.0.details.into_iter().map(|d| d.pointer).collect(),
            Err(e) => vec![format!("{e:?}")],
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn search_parameters_are_checked() {
        assert!(pointers(search_of(Some(" ".into()), Some(String::new()))).is_empty());
        assert_eq!(
            pointers(search_of(Some("123".into()), Some("123".into()))),
            ["/name", "/iin"]
        );
        assert_eq!(
            pointers(search_of(None, Some("900115700010".into()))),
            ["/iin"]
        );
        let s = search_of(Some("Ospanov".into()), None).unwrap();
        assert_eq!(s.name.as_deref(), Some("Ospanov"));
    }
}
