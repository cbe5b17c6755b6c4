//! Issue 14's files on a case, black-box, on PostgreSQL + Redis and on
//! the embedded default: a reporter attaches evidence with the token the
//! filing answers; kinds are found by content (an executable named `.pdf`
//! is refused); a photo loses its EXIF block; handlers download (audited)
//! and add internal files the reporter never sees; removing a file takes
//! a second officer; the Agency opens the reporter's files of a case
//! escalated with its report. Neither the file's content nor the photo's
//! metadata is in any database file or log.

use super::reporting::files_holding;
use super::{ADMIN_PASSWORD, PASSWORD, create_agency_auditor, create_tenant, start_production};
use adal_blackbox::*;
use anyhow::Result;
use serde_json::{Value, json};

/// A small JPEG whose EXIF segment holds `marker`.
fn jpeg_with_exif(marker: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0]);
    let exif = format!("Exif\0\0{marker}");
    b.extend_from_slice(&[0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
    b.extend_from_slice(exif.as_bytes());
    b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 1, 2, 0x55, 0x66, 0x77]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn names(case: &Value) -> Vec<String> {
    case["attachments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["name"].as_str().unwrap_or("(removed)").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The whole path; returns the markers the callers search the stores for.
async fn files_on_a_case(
    api: &Api,
    platform: &str,
    agency: &str,
    tag: &str,
    bin: &str,
) -> Result<Vec<String>> {
    let t = create_tenant(api, platform, tag, bin).await?;
    let tid = &t.id;
    let r = api
        .post(
            &t.admin,
            &format!("/tenants/{tid}/users"),
            &json!({"email": format!("second@{tag}.kz"), "display_name": "Second Officer",
                    "password": PASSWORD, "role": "compliance_officer"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let second = api.login(&format!("second@{tag}.kz"), PASSWORD).await?;
    let exif = format!("GPS-{}", uuid::Uuid::new_v4().simple());
    let evidence = format!("EVIDENCE-{}", uuid::Uuid::new_v4().simple());

    // Filing answers a token with the receipt: files follow at once.
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &json!({"what": "Откат за тендер, фото и расписка прилагаются.", "language": "ru"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_owned();
    assert!(r.body["token_expires_at"].is_string(), "{}", r.text);

    let mine = "/public/reports/mine/attachments";
    let r = api
        .upload_bytes(
            &token,
            &format!("{mine}?name=%D1%84%D0%BE%D1%82%D0%BE.jpg"),
            jpeg_with_exif(&exif),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["kind"], "jpeg");
    assert_eq!(r.body["name"], "фото.jpg");
    assert_eq!(r.body["author_id"], Value::Null);
    let photo = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .upload_bytes(
            &token,
            &format!("{mine}?name=receipt.txt"),
            format!("Paid 500 000 tenge in cash. {evidence}\n").into_bytes(),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["kind"], "txt");
    let note = r.body["id"].as_str().unwrap().to_owned();

    // Kinds by content: an executable named .pdf, an archive, nothing.
    let r = api
        .upload_bytes(
            &token,
            &format!("{mine}?name=invoice.pdf"),
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/file", "{}", r.text);
    assert_eq!(r.body["details"][0]["code"], "file.kind", "{}", r.text);
    let r = api
        .upload_bytes(&token, &format!("{mine}?name=empty.txt"), Vec::new())
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);
    // Over 10 MiB: refused before it is read whole.
    let r = api
        .upload_bytes(&token, mine, vec![b'a'; 10 * 1024 * 1024 + 1])
        .await?;
    assert_eq!(r.status, 413, "{}", r.text);
    // A forged token opens nothing.
    let r = api
        .upload_bytes("forged.token", mine, b"text".to_vec())
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);

    // The reporter's photo comes back without its EXIF block, to save.
    let (status, headers, bytes) = api.get_file(&token, &format!("{mine}/{photo}")).await?;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/octet-stream");
    let disposition = headers["content-disposition"].to_str()?;
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg"),
        "{disposition}"
    );
    assert_eq!(headers["x-file-kind"], "jpeg");
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    assert!(
        !bytes.windows(exif.len()).any(|w| w == exif.as_bytes()),
        "EXIF kept"
    );

    // The compliance unit: the case lists both; downloads are audited.
    let cases = format!("/tenants/{tid}/cases");
    let r = api.get(&t.compliance, &cases).await?;
    let case = r.body["items"][0]["id"].as_str().unwrap().to_owned();
    let base = format!("{cases}/{case}");
    let r = api.get(&t.compliance, &base).await?;
    assert_eq!(names(&r.body), ["фото.jpg", "receipt.txt"], "{}", r.text);
    assert_eq!(r.body["attachments"][0]["from_reporter"], true);
    let (status, _, bytes) = api
        .get_file(&t.compliance, &format!("{base}/attachments/{note}"))
        .await?;
    assert_eq!(status, 200);
    assert!(String::from_utf8(bytes)?.contains(&evidence));
    let audited = |action: &'static str| {
        let (api, admin, tid) = (api, t.admin.clone(), tid.clone());
        async move {
            let r = api
                .get(
                    &admin,
                    &format!("/tenants/{tid}/audit/entries?action={action}"),
                )
                .await?;
            anyhow::Ok(r)
        }
    };
    let r = audited("case.attachment.read").await?;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.text);
    assert_eq!(r.body[0]["detail"]["attachment_id"], note.as_str());
    assert!(!r.text.contains(&evidence));
    // Another role of the tenant: the same 403 as for the case itself.
    let (status, _, _) = api
        .get_file(&t.hr, &format!("{base}/attachments/{note}"))
        .await?;
    assert_eq!(status, 403);
    // An unknown file of a known case: 404.
    let (status, _, _) = api
        .get_file(
            &t.compliance,
            &format!("{base}/attachments/{}", uuid::Uuid::new_v4()),
        )
        .await?;
    assert_eq!(status, 404);

    // A handler's internal file: the reporter neither sees nor opens it.
    let r = api
        .upload_bytes(
            &t.compliance,
            &format!("{base}/attachments?name=check.txt&internal=true"),
            b"Internal: bank statement requested.".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let internal = r.body["id"].as_str().unwrap().to_owned();
    let r = api.get(&token, "/public/reports/mine").await?;
    assert_eq!(names(&r.body), ["фото.jpg", "receipt.txt"], "{}", r.text);
    assert!(r.body["approvals"].as_array().unwrap().is_empty());
    let (status, _, _) = api.get_file(&token, &format!("{mine}/{internal}")).await?;
    assert_eq!(status, 404);

    // Removal: asked by one officer, decided by another.
    let removal = format!("{base}/attachments/{photo}/removal");
    let r = api
        .post(&t.compliance, &removal, &json!({"reason": ""}))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &removal,
            &json!({"reason": "Shows an uninvolved colleague's face"}),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    let approval = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .post(&t.compliance, &removal, &json!({"reason": "again"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let decide = format!("{base}/approvals/{approval}");
    let r = api
        .post(&t.compliance, &decide, &json!({"approve": true}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"][0]["code"], "approval.second_officer");
    // Still there until the second officer decides.
    let (status, _, _) = api.get_file(&token, &format!("{mine}/{photo}")).await?;
    assert_eq!(status, 200);
    let r = api
        .post(&second, &decide, &json!({"approve": true}))
        .await?;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = api
        .post(&second, &decide, &json!({"approve": false}))
        .await?;
    assert_eq!(
        r.status, 404,
        "a decided request is decided once: {}",
        r.text
    );
    let r = api.get(&t.compliance, &base).await?;
    assert_eq!(
        names(&r.body),
        ["(removed)", "receipt.txt", "check.txt"],
        "{}",
        r.text
    );
    assert!(r.body["attachments"][0]["removed_at"].is_string());
    assert_eq!(r.body["approvals"][0]["approved"], true, "{}", r.text);
    assert_eq!(
        r.body["approvals"][0]["reason"],
        "Shows an uninvolved colleague's face"
    );
    let (status, _, _) = api.get_file(&token, &format!("{mine}/{photo}")).await?;
    assert_eq!(status, 404);
    for action in [
        "case.attachment",
        "case.approval.request",
        "case.approval.decide",
        "case.attachment.remove",
    ] {
        // The filter is a prefix: look for the action itself.
        let r = audited(action).await?;
        let entries = r.body.as_array().cloned().unwrap_or_default();
        assert_eq!(
            entries.iter().filter(|e| e["action"] == action).count(),
            1,
            "{action}: {}",
            r.text
        );
    }

    // Escalated with the report: the Agency opens the reporter's file,
    // not the handlers' internal one.
    let r = api
        .post(
            &t.compliance,
            &format!("{base}/escalate"),
            &json!({"summary": "Cash kickback, receipt attached", "include_report": true}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(agency, &format!("/agency/cases/{case}")).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // A removed file stays a tombstone there too: the Agency sees that
    // something was removed, not what.
    assert_eq!(names(&r.body), ["(removed)", "receipt.txt"], "{}", r.text);
    let (status, _, bytes) = api
        .get_file(agency, &format!("/agency/cases/{case}/attachments/{note}"))
        .await?;
    assert_eq!(status, 200);
    assert!(String::from_utf8(bytes)?.contains(&evidence));
    let (status, _, _) = api
        .get_file(
            agency,
            &format!("/agency/cases/{case}/attachments/{internal}"),
        )
        .await?;
    assert_eq!(status, 404);

    // Closed with the measures taken: the reporter reads them.
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &base,
            json!({"status": "closed", "outcome": "referred_to_law_enforcement",
                   "measures": "Referred to the police with the receipt."})
            .to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(&token, "/public/reports/mine").await?;
    assert_eq!(
        r.body["measures"],
        "Referred to the police with the receipt."
    );
    assert!(r.body["links"].as_array().unwrap().is_empty());

    // A report to the Agency: its files are the Agency's; the
    // organisation's officers cannot open them, not even by id.
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/agency/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &json!({"what": "The director's nephew won the tender."}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_owned();
    let r = api
        .upload_bytes(
            &token,
            &format!("{mine}?name=protocol.txt"),
            format!("Tender protocol. {evidence}-AGENCY").into_bytes(),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let to_agency = r.body["id"].as_str().unwrap().to_owned();
    let r = api.get(agency, "/agency/cases").await?;
    let own = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "agency")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api
        .upload_bytes(
            agency,
            &format!("/agency/cases/{own}/attachments?name=inquiry.txt&internal=true"),
            b"Inquiry opened.".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api.get(agency, &format!("/agency/cases/{own}")).await?;
    assert_eq!(
        names(&r.body),
        ["protocol.txt", "inquiry.txt"],
        "{}",
        r.text
    );
    let (status, _, bytes) = api
        .get_file(
            agency,
            &format!("/agency/cases/{own}/attachments/{to_agency}"),
        )
        .await?;
    assert_eq!(status, 200);
    assert!(String::from_utf8(bytes)?.contains("-AGENCY"));
    let (status, _, _) = api
        .get_file(
            &t.compliance,
            &format!("{cases}/{own}/attachments/{to_agency}"),
        )
        .await?;
    assert_eq!(status, 404);
    // The Agency attaches nothing to a case the organisation escalated.
    let r = api
        .upload_bytes(
            agency,
            &format!("/agency/cases/{case}/attachments?name=x.txt"),
            b"x".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    Ok(vec![exif, evidence])
}

#[tokio::test(flavor = "multi_thread")]
async fn files_on_a_case_on_postgres_redis() -> Result<()> {
    let (db, _smtp, dep, api, _) = start_production().await?;
    create_agency_auditor(&dep).await?;
    let serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let markers = files_on_a_case(&api, &platform, &agency, "files", "29034000888").await?;
    drop(serve);
    let dump = std::process::Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "--data-only", &db.name])
        .output()?;
    assert!(dump.status.success());
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("report_attachments"));
    for m in &markers {
        assert!(!dump.contains(m.as_str()), "{m} in the database dump");
        let found = files_holding(&dep.dir, m);
        assert!(found.is_empty(), "{m} in {found:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn files_on_a_case_on_the_embedded_default() -> Result<()> {
    let (dep, api) = super::start_embedded().await?;
    create_agency_auditor(&dep).await?;
    let serve = dep.spawn("serve", &["serve"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let markers = files_on_a_case(&api, &platform, &agency, "filesemb", "29034000999").await?;
    drop(serve);
    for m in &markers {
        let found = files_holding(&dep.dir, m);
        assert!(found.is_empty(), "{m} in {found:?}");
    }
    Ok(())
}
