//! The cases' clock: reminders before a deadline and notices once it has
//! passed, for the organisations' own channels and for the Agency's.
//!
//! Notices say which case and when, never what it is about. Each goes once
//! per case, stage and recipient (the outbox's dedupe key), so a pass can
//! run as often as wanted and on several workers. The Agency's notices are
//! queued under the platform's nil tenant, never the organisation's: its
//! outbox must not learn that a report about it was made to the Agency.

use crate::entities::report;
use crate::reports::{Report, recusals};
use crate::{Result, TenantId};
use adal_domain::{CaseStatus, ReportChannel, Role};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// A tenant's compliance officers (id, email) and its alert addresses,
/// read once per tenant in a pass of the clock.
type Team = (Uuid, Vec<(Uuid, String)>, Vec<String>);

/// Days before the acknowledgement deadline the handler is reminded.
pub const ACK_REMINDER_DAYS: i64 = 2;
/// Days before the feedback deadline the handler is reminded.
pub const FEEDBACK_REMINDER_DAYS: i64 = 14;

/// One pass of the clock over every open case: for an organisation's own
/// channel, a reminder to the assignee (or, with none, to every compliance
/// officer not recused) when a deadline is near and a notice to the
/// compliance unit (the tenant's alert addresses, or those officers) when
/// one has passed; for the Agency's channel, both to every active Agency
/// auditor (its cases are nobody's in particular). Returns how many were
/// queued.
pub async fn remind_once(store: &crate::Store, today: NaiveDate) -> Result<u64> {
    Ok(tenant_channels(store, today).await? + agency_channel(store, today).await?)
}

async fn open_cases(store: &crate::Store, channel: ReportChannel) -> Result<Vec<Report>> {
    report::Entity::find()
        .filter(report::Column::Channel.eq(channel.as_str()))
        .filter(report::Column::Status.ne(CaseStatus::Closed.as_str()))
        .order_by_asc(report::Column::TenantId)
        .all(&store.across_tenants())
        .await?
        .into_iter()
        .map(Report::try_from)
        .collect()
}

async fn tenant_channels(store: &crate::Store, today: NaiveDate) -> Result<u64> {
    let mut queued = 0;
    let mut officers: Option<Team> = None;
    for r in open_cases(store, ReportChannel::Tenant).await? {
        let tenant = TenantId::from_uuid(r.tenant_id);
        if officers.as_ref().is_none_or(|(t, _, _)| *t != r.tenant_id) {
            let users = crate::users::list(store, tenant).await?;
            let team: Vec<(Uuid, String)> = users
                .into_iter()
                .filter(|u| u.role == Role::ComplianceOfficer.as_str() && u.disabled_at.is_none())
                .map(|u| (u.id, u.email))
                .collect();
            let row = crate::tenants::get(store, tenant).await?;
            let unit = crate::tenants::settings_of(&row)?.alert_emails;
            officers = Some((r.tenant_id, team, unit));
        }
        let Some((_, team, unit)) = &officers else {
            continue;
        };
        let recused: Vec<Uuid> = recusals(store, tenant, r.id)
            .await?
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        let handlers: Vec<&String> = team
            .iter()
            .filter(|(id, _)| !recused.contains(id))
            .filter(|(id, _)| r.assignee_id.is_none() || r.assignee_id == Some(*id))
            .map(|(_, email)| email)
            .collect();
        let all_handlers: Vec<&String> = team
            .iter()
            .filter(|(id, _)| !recused.contains(id))
            .map(|(_, email)| email)
            .collect();
        let unit: Vec<&String> = if unit.is_empty() {
            all_handlers
        } else {
            unit.iter().collect()
        };
        let notice = Notice {
            outbox_tenant: r.tenant_id,
            key_prefix: "case",
            link: format!("GET /api/v1/tenants/{}/cases/{}", r.tenant_id, r.id),
        };
        queued += notice.stages(store, &r, today, &handlers, &unit).await?;
    }
    Ok(queued)
}

async fn agency_channel(store: &crate::Store, today: NaiveDate) -> Result<u64> {
    let cases = open_cases(store, ReportChannel::Agency).await?;
    if cases.is_empty() {
        return Ok(0);
    }
    let auditors: Vec<String> = crate::users::list_platform(store, Role::AgencyAuditor.as_str())
        .await?
        .into_iter()
        .filter(|u| u.disabled_at.is_none())
        .map(|u| u.email)
        .collect();
    let to: Vec<&String> = auditors.iter().collect();
    let mut queued = 0;
    for r in cases {
        let notice = Notice {
            outbox_tenant: Uuid::nil(),
            key_prefix: "agency-case",
            link: format!("GET /api/v1/agency/cases/{}", r.id),
        };
        queued += notice.stages(store, &r, today, &to, &to).await?;
    }
    Ok(queued)
}

/// Where a case's notices go and how they name it.
struct Notice {
    /// The outbox row's tenant: the organisation's, or the platform's nil.
    outbox_tenant: Uuid,
    key_prefix: &'static str,
    link: String,
}

impl Notice {
    /// Queues what `r`'s deadlines call for on `today`: `soon` reminders
    /// to `handlers`, `missed` notices to `unit`.
    async fn stages(
        &self,
        store: &crate::Store,
        r: &Report,
        today: NaiveDate,
        handlers: &[&String],
        unit: &[&String],
    ) -> Result<u64> {
        let stages = [
            (
                r.status == CaseStatus::Received,
                r.ack_due,
                ACK_REMINDER_DAYS,
                "ack",
                "acknowledge",
            ),
            (
                true,
                r.feedback_due,
                FEEDBACK_REMINDER_DAYS,
                "feedback",
                "give feedback on",
            ),
        ];
        let mut queued = 0;
        for (applies, due, ahead, stage, what) in stages {
            if !applies {
                continue;
            }
            let (key, to, subject) = if today > due {
                (
                    format!("{stage}-missed"),
                    unit,
                    format!("Overdue: a report to {what} was due on {due}"),
                )
            } else if (due - today).num_days() <= ahead {
                (
                    format!("{stage}-soon"),
                    handlers,
                    format!("Reminder: {what} a report by {due}"),
                )
            } else {
                continue;
            };
            let body = format!(
                "Case {id}, received on {received}, is due: {what} it by {due}.\n\n\
                 Open it in Adal ({link}). This message says nothing of the \
                 report's content on purpose.\n",
                id = r.id,
                received = r.received_on,
                link = self.link,
            );
            for email in to {
                if crate::outbox::enqueue_notice(
                    store,
                    self.outbox_tenant,
                    &format!("{}/{}/{key}/{email}", self.key_prefix, r.id),
                    email,
                    &subject,
                    &body,
                )
                .await?
                {
                    queued += 1;
                }
            }
        }
        Ok(queued)
    }
}
