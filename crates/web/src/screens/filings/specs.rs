//! Filing forms as lists of fields. A kind of record is a [`FormSpec`]: its
//! fields, their labels and hints (catalogue keys) and input types. The
//! page renders any spec the same way and shows each validation error of
//! the domain (`adal_domain`), which names its field by JSON pointer, next
//! to that field. A new kind (conflict-of-interest disclosures, asset
//! declarations) is a new spec plus the call into its domain validation.

use adal_domain::FieldError;
use std::collections::HashMap;

/// Up to this many options a choice is a group of radio buttons, all in
/// sight and one Tab stop; a longer list is a `<select>`, so the form stays
/// short on a narrow screen.
pub const MAX_RADIOS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub enum Input {
    Text {
        max: usize,
    },
    TextArea,
    Date,
    /// Tenge with up to two decimals.
    Money,
    /// One of fixed values; each option's label is `<label key>-<value>`.
    Choice(&'static [&'static str]),
    /// A whole number; sent to the domain as a JSON number when it is one.
    Integer,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON member name (its pointer is `/<name>`).
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub input: Input,
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct FormSpec {
    pub title: &'static str,
    pub submit: &'static str,
    pub fields: &'static [Field],
}

pub const GIFT: FormSpec = FormSpec {
    title: "gift-title",
    submit: "gift-submit",
    fields: &[
        Field {
            name: "direction",
            label: "gift-direction",
            hint: None,
            input: Input::Choice(&["received", "given"]),
            required: true,
        },
        Field {
            name: "giver_name",
            label: "gift-giver-name",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "giver_bin",
            label: "gift-giver-bin",
            hint: Some("gift-giver-bin-hint"),
            input: Input::Text { max: 12 },
            required: false,
        },
        Field {
            name: "description",
            label: "gift-description",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
        Field {
            name: "value_kzt",
            label: "gift-value",
            hint: Some("gift-value-hint"),
            input: Input::Money,
            required: true,
        },
        Field {
            name: "date",
            label: "gift-date",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "occasion",
            label: "gift-occasion",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
    ],
};

/// A conflict-of-interest disclosure naming one other party (the API takes
/// up to twenty; one covers what people disclose through a form, and a
/// correction can add more).
pub const CONFLICT: FormSpec = FormSpec {
    title: "conflict-title",
    submit: "conflict-submit",
    fields: &[
        Field {
            name: "situation",
            label: "conflict-situation",
            hint: None,
            input: Input::Choice(&[
                "relative_in_reporting_line",
                "relative_in_procurement",
                "outside_employment",
                "commercial_activity",
                "shareholding",
                "post_employment_offer",
            ]),
            required: true,
        },
        Field {
            name: "description",
            label: "conflict-description",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
        Field {
            name: "party_name",
            label: "conflict-party-name",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "party_relation",
            label: "conflict-party-relation",
            hint: Some("conflict-party-relation-hint"),
            input: Input::Choice(&[
                "spouse",
                "parent",
                "child",
                "sibling",
                "grandparent",
                "grandchild",
                "parent_in_law",
                "child_in_law",
                "sibling_in_law",
                "other",
            ]),
            required: false,
        },
        Field {
            name: "party_iin",
            label: "conflict-party-iin",
            hint: Some("conflict-party-iin-hint"),
            input: Input::Text { max: 12 },
            required: false,
        },
        Field {
            name: "party_bin",
            label: "conflict-party-bin",
            hint: Some("conflict-party-bin-hint"),
            input: Input::Text { max: 12 },
            required: false,
        },
        Field {
            name: "procurement_ocid",
            label: "conflict-procurement-ocid",
            hint: Some("conflict-procurement-ocid-hint"),
            input: Input::Text { max: 100 },
            required: false,
        },
        Field {
            name: "arose_on",
            label: "conflict-arose-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "proposed_resolution",
            label: "conflict-resolution",
            hint: None,
            input: Input::Choice(&[
                "recusal",
                "transfer",
                "divestment",
                "end_activity",
                "no_conflict",
            ]),
            required: true,
        },
    ],
};

/// A training the person completed (anyone in the tenant files their own).
pub const TRAINING: FormSpec = FormSpec {
    title: "training-title",
    submit: "training-submit",
    fields: &[
        Field {
            name: "person_iin",
            label: "training-person-iin",
            hint: None,
            input: Input::Text { max: 12 },
            required: true,
        },
        Field {
            name: "full_name",
            label: "training-full-name",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "course",
            label: "training-course",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "topic",
            label: "training-topic",
            hint: Some("training-topic-hint"),
            input: Input::Choice(&[
                "anti_corruption",
                "conflict_of_interest",
                "ethics",
                "procurement",
                "other",
            ]),
            required: true,
        },
        Field {
            name: "completed_on",
            label: "training-completed-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "provider",
            label: "training-provider",
            hint: None,
            input: Input::Text { max: 300 },
            required: false,
        },
        Field {
            name: "hours",
            label: "training-hours",
            hint: Some("training-hours-hint"),
            input: Input::Integer,
            required: false,
        },
    ],
};

/// A report received through a feedback channel, with its answer once given.
pub const FEEDBACK: FormSpec = FormSpec {
    title: "feedback-title",
    submit: "feedback-submit",
    fields: &[
        Field {
            name: "receipt_code",
            label: "feedback-receipt-code",
            hint: Some("feedback-receipt-code-hint"),
            input: Input::Text { max: 100 },
            required: true,
        },
        Field {
            name: "channel",
            label: "feedback-channel",
            hint: None,
            input: Input::Choice(&[
                "hotline",
                "email",
                "website",
                "letter",
                "in_person",
                "agency_portal",
            ]),
            required: true,
        },
        Field {
            name: "category",
            label: "feedback-category",
            hint: None,
            input: Input::Choice(&["corruption_report", "complaint", "suggestion", "question"]),
            required: true,
        },
        Field {
            name: "received_on",
            label: "feedback-received-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "summary",
            label: "feedback-summary",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
        Field {
            name: "answered_on",
            label: "feedback-answered-on",
            hint: None,
            input: Input::Date,
            required: false,
        },
        Field {
            name: "answer_summary",
            label: "feedback-answer-summary",
            hint: Some("feedback-answer-summary-hint"),
            input: Input::TextArea,
            required: false,
        },
    ],
};

/// One of the organisation's own anti-corruption measures.
pub const GOVERNANCE: FormSpec = FormSpec {
    title: "governance-title",
    submit: "governance-submit",
    fields: &[
        Field {
            name: "event",
            label: "governance-event",
            hint: None,
            input: Input::Choice(&[
                "policy_adopted",
                "compliance_unit_established",
                "risk_assessment_completed",
            ]),
            required: true,
        },
        Field {
            name: "on",
            label: "governance-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "document",
            label: "governance-document",
            hint: Some("governance-document-hint"),
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "note",
            label: "governance-note",
            hint: None,
            input: Input::TextArea,
            required: false,
        },
    ],
};

/// Validates a form whose fields are the record's own members, one to one,
/// with the domain's rules (the API's): a blank optional field is left
/// out, a blank required one is sent so that the domain names it.
pub fn validate_flat<R: adal_domain::records::Record>(
    spec: &FormSpec,
    values: &HashMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<R, Vec<FieldError>> {
    let mut body = serde_json::Map::new();
    for f in spec.fields {
        let v = values.get(f.name).map(|v| v.trim()).unwrap_or_default();
        if v.is_empty() && !f.required {
            continue;
        }
        let value = match f.input {
            // Not a number: sent as text, and the domain says so.
            Input::Integer => v
                .parse::<i64>()
                .map_or_else(|_| v.into(), serde_json::Value::from),
            _ => v.into(),
        };
        body.insert(f.name.into(), value);
    }
    adal_domain::records::parse_value(&serde_json::Value::Object(body), today)
}

/// The pointer of a form's input for a record's JSON pointer: the one
/// party of the disclosure form is `parties/0`; every other form's inputs
/// are the record's own members.
pub fn form_pointer(pointer: &str) -> String {
    conflict_field(pointer)
}

/// The form field a disclosure's JSON pointer belongs to: the one party
/// of the form is `parties/0`.
fn conflict_field(pointer: &str) -> String {
    let field = match pointer {
        "/parties" | "/parties/0" | "/parties/0/name" => "party_name",
        "/parties/0/relation" => "party_relation",
        "/parties/0/iin" => "party_iin",
        "/parties/0/bin" => "party_bin",
        other => return other.to_owned(),
    };
    format!("/{field}")
}

/// Validates a submitted disclosure form with the domain's own rules
/// (the same as the API's), errors renamed to the form's fields.
pub fn validate_conflict(
    values: &HashMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<adal_domain::records::coi::Disclosure, Vec<FieldError>> {
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut party = serde_json::Map::new();
    party.insert("name".into(), get("party_name").into());
    for (field, key) in [
        ("party_relation", "relation"),
        ("party_iin", "iin"),
        ("party_bin", "bin"),
    ] {
        let v = get(field);
        if !v.is_empty() {
            party.insert(key.into(), v.into());
        }
    }
    let mut body = serde_json::Map::new();
    for field in [
        "situation",
        "description",
        "arose_on",
        "proposed_resolution",
    ] {
        body.insert(field.into(), get(field).into());
    }
    let ocid = get("procurement_ocid");
    if !ocid.is_empty() {
        body.insert("procurement_ocid".into(), ocid.into());
    }
    body.insert(
        "parties".into(),
        serde_json::Value::Array(vec![party.into()]),
    );
    adal_domain::records::parse_value(&serde_json::Value::Object(body), today).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError::new(conflict_field(&e.pointer), e.message))
            .collect()
    })
}

/// Validates a submitted gift form with the domain's own rules.
pub fn validate_gift(
    values: &HashMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<adal_domain::GiftDeclaration, Vec<FieldError>> {
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let bin = get("giver_bin");
    adal_domain::GiftDeclaration::validate(
        adal_domain::GiftInput {
            direction: get("direction"),
            giver_name: get("giver_name"),
            giver_bin: (!bin.trim().is_empty()).then(|| bin.trim().to_owned()),
            description: get("description"),
            value_kzt: get("value_kzt")
                .trim()
                .replace([' ', '\u{a0}', '\u{202f}'], ""),
            date: get("date"),
            occasion: get("occasion"),
        },
        today,
    )
}
