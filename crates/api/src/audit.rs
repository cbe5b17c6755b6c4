//! The verifiable audit log (docs/audit.md): its entries, signed
//! checkpoints, and inclusion and consistency proofs. Whoever may read a
//! tenant's audit may read all of it; the Agency's reads are themselves
//! entries (action `agency.access`).

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::error::{ApiError, ApiResult};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_store::audit;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::{Json, PlainText},
};
use uuid::Uuid;

#[derive(Tags)]
pub enum ApiTags {
    /// The tenant's verifiable audit log
    Audit,
}

/// Most entries one page lists.
const MAX_PAGE: u64 = 500;

/// One entry of the log.
#[derive(Debug, Object)]
pub struct AuditEntryOut {
    /// Its position in the log, from 1.
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The account that acted (its id), or `system`.
    pub actor: String,
    pub action: String,
    pub object: String,
    /// What was recorded. Personal data sealed under a person's key shows
    /// as `{"sealed": true}` here; the person's data export opens it.
    pub detail: serde_json::Value,
    /// Base64 of the entry's leaf hash (docs/audit.md, "Entries").
    pub leaf_hash: String,
}

/// A signed checkpoint of the log.
#[derive(Debug, Object)]
pub struct CheckpointOut {
    pub tree_size: u64,
    /// Base64 of the root hash, as in the note.
    pub root: String,
    /// The signed note (C2SP `tlog-checkpoint`), byte for byte.
    pub note: String,
    /// The verifier keys of its signatures (`name+id+key`).
    pub keys: Vec<String>,
    pub signed_at: chrono::DateTime<chrono::Utc>,
}

/// Entry `seq` is in the tree of `tree_size` entries: hash the leaf up
/// through `hashes` (RFC 9162, 2.1.3.2) to reach `root`.
#[derive(Debug, Object)]
pub struct InclusionOut {
    pub seq: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub hashes: Vec<String>,
    pub root: String,
}

/// The tree of `from` entries is a prefix of the tree of `to` (RFC 9162,
/// 2.1.4.2).
#[derive(Debug, Object)]
pub struct ConsistencyOut {
    pub from: u64,
    pub to: u64,
    pub from_root: String,
    pub to_root: String,
    pub hashes: Vec<String>,
}

#[derive(ApiResponse)]
enum EntriesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<AuditEntryOut>>),
}

#[derive(ApiResponse)]
enum CheckpointsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<CheckpointOut>>),
}

#[derive(ApiResponse)]
enum SignResponse {
    /// The newest checkpoint: signed now, or the last one when the log has
    /// not grown since.
    #[oai(status = 201)]
    Signed(Json<CheckpointOut>),
}

#[derive(ApiResponse)]
enum NoteResponse {
    /// The newest signed checkpoint, byte for byte.
    #[oai(status = 200)]
    Ok(PlainText<String>),
}

#[derive(ApiResponse)]
enum InclusionResponse {
    #[oai(status = 200)]
    Ok(Json<InclusionOut>),
}

#[derive(ApiResponse)]
enum ConsistencyResponse {
    #[oai(status = 200)]
    Ok(Json<ConsistencyOut>),
}

fn b64(h: &[u8]) -> String {
    STANDARD.encode(h)
}

fn checkpoint_out(c: audit::SignedCheckpoint) -> CheckpointOut {
    CheckpointOut {
        tree_size: c.size,
        root: b64(&c.root),
        note: c.note,
        keys: c.keys,
        signed_at: c.at,
    }
}

async fn reader(state: &AppState, auth: &BearerAuth, tenant_id: Uuid) -> ApiResult<TenantCtx> {
    Ok(TenantCtx::authorize(state, &auth.0, tenant_id, obj::AUDIT, act::READ).await?)
}

pub struct AuditApi;

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// The log's entries, newest first. `before` pages back (the smallest
    /// `seq` of the last page); `action` keeps entries whose action starts
    /// with it (`agency.` lists what the Agency looked at).
    #[oai(
        path = "/tenants/:tenant_id/audit/entries",
        method = "get",
        operation_id = "listAuditEntries"
    )]
    async fn entries(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        before: Query<Option<u64>>,
        action: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<EntriesResponse> {
        let ctx = reader(&state, &auth, tenant_id.0).await?;
        let limit = limit.0.unwrap_or(100);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit: between 1 and {MAX_PAGE}"
            )));
        }
        if action.0.as_ref().is_some_and(|a| a.len() > 100) {
            return Err(ApiError::bad_request("action: at most 100 characters"));
        }
        let rows = audit::entries(
            &state.store,
            ctx.tenant(),
            before.0,
            action.0.as_deref(),
            limit,
        )
        .await?;
        let out = rows
            .into_iter()
            .map(|e| {
                let detail = match serde_json::from_str::<serde_json::Value>(&e.detail) {
                    Ok(v) if v.get("sealed").is_some() => serde_json::json!({ "sealed": true }),
                    Ok(v) => v,
                    Err(_) => serde_json::Value::String(e.detail.clone()),
                };
                let leaf = e
                    .leaf_hash
                    .as_deref()
                    .and_then(|h| hex::decode(h).ok())
                    .map(|h| b64(&h))
                    .unwrap_or_default();
                AuditEntryOut {
                    seq: e
                        .seq
                        .and_then(|s| u64::try_from(s).ok())
                        .unwrap_or_default(),
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    object: e.object,
                    detail,
                    leaf_hash: leaf,
                }
            })
            .collect();
        Ok(EntriesResponse::Ok(Json(out)))
    }

    /// Every signed checkpoint of the log, oldest first.
    #[oai(
        path = "/tenants/:tenant_id/audit/checkpoints",
        method = "get",
        operation_id = "listAuditCheckpoints"
    )]
    async fn checkpoints(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<CheckpointsResponse> {
        let ctx = reader(&state, &auth, tenant_id.0).await?;
        let all = audit::checkpoints(&state.store, ctx.tenant()).await?;
        Ok(CheckpointsResponse::Ok(Json(
            all.into_iter().map(checkpoint_out).collect(),
        )))
    }

    /// Sign a checkpoint of the log as it is now, and deposit it with the
    /// Agency (in the platform's log). An auditor keeps what this returns
    /// to check later that the log only grew (`adal-verify --checkpoint`).
    #[oai(
        path = "/tenants/:tenant_id/audit/checkpoints",
        method = "post",
        operation_id = "signAuditCheckpoint"
    )]
    async fn sign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<SignResponse> {
        let ctx = reader(&state, &auth, tenant_id.0).await?;
        let c = audit::checkpoint(&state.store, ctx.tenant()).await?;
        Ok(SignResponse::Signed(Json(checkpoint_out(c))))
    }

    /// The newest signed checkpoint as the signed note itself
    /// (`text/plain`), for tools of the transparency-log ecosystem.
    #[oai(
        path = "/tenants/:tenant_id/audit/checkpoint",
        method = "get",
        operation_id = "getAuditCheckpoint"
    )]
    async fn newest(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<NoteResponse> {
        let ctx = reader(&state, &auth, tenant_id.0).await?;
        let newest = audit::checkpoints(&state.store, ctx.tenant())
            .await?
            .pop()
            .ok_or_else(|| ApiError::not_found("checkpoint"))?;
        Ok(NoteResponse::Ok(PlainText(newest.note)))
    }

    /// The proof that entry `seq` is in the tree of `tree_size` entries
    /// (the whole log when omitted).
    #[oai(
        path = "/tenants/:tenant_id/audit/proofs/inclusion",
        method = "get",
        operation_id = "getAuditInclusionProof"
    )]
    async fn inclusion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        seq: Query<Option<u64>>,
        tree_size: Query<Option<u64>>,
    ) -> ApiResult<InclusionResponse> {
        let ctx = reader(&state, &auth, tenant_id.0).await?;
        // Required, but checked after authorisation: a caller outside the
        // tenant learns nothing, not even which parameters it takes.
        let seq = seq
            .0
            .ok_or_else(|| ApiError::bad_request("seq: required, the entry's position"))?;
        let p = audit::inclusion(&state.store, ctx.tenant(), seq, tree_size.0)
            .await
            .map_err(|e| match e {
                adal_store::StoreError::NotFound => ApiError::bad_request(
                    "seq: from 1 to tree_size, and tree_size at most the log's size",
                ),
                other => other.into(),
            })?;
        Ok(InclusionResponse::Ok(Json(InclusionOut {
            seq: p.seq,
            tree_size: p.size,
            leaf_hash: b64(&p.leaf_hash),
            hashes: p.hashes.iter().map(|h| b64(h)).collect(),
            root: b64(&p.root),
        })))
    }

    /// The proof that the tree of `from` entries is a prefix of the tree
    /// of `to` (the whole log when omitted).
    #[oai(
        path = "/tenants/:tenant_id/audit/proofs/consistency",
        method = "get",
        operation_id = "getAuditConsistencyProof"
    )]
    async fn consistency(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        from: Query<Option<u64>>,
        to: Query<Option<u64>>,
    ) -> ApiResult<ConsistencyResponse> {
        let ctx = reader(&state, &auth, tenant_id.0).await?;
        let from = from
            .0
            .ok_or_else(|| ApiError::bad_request("from: required, the older tree size"))?;
        let p = audit::consistency(&state.store, ctx.tenant(), from, to.0)
            .await
            .map_err(|e| match e {
                adal_store::StoreError::NotFound => {
                    ApiError::bad_request("from: from 1 to `to`, and `to` at most the log's size")
                }
                other => other.into(),
            })?;
        Ok(ConsistencyResponse::Ok(Json(ConsistencyOut {
            from: p.from,
            to: p.to,
            from_root: b64(&p.from_root),
            to_root: b64(&p.to_root),
            hashes: p.hashes.iter().map(|h| b64(h)).collect(),
        })))
    }
}
