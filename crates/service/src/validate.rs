//! Checks of the values every front door receives: emails, passwords, names.

use adal_domain::FieldError;

pub fn validate_email(pointer: &str, email: &str, errors: &mut Vec<FieldError>) {
    let e = email.trim();
    let ok = e.len() <= 320
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.contains(char::is_whitespace);
    if !ok {
        errors.push(FieldError::coded(
            pointer,
            "email.invalid",
            "must be an email address",
        ));
    }
}

pub fn validate_password(pointer: &str, password: &str, errors: &mut Vec<FieldError>) {
    let n = password.chars().count();
    if !(12..=200).contains(&n) {
        errors.push(FieldError::coded(
            pointer,
            "password.length",
            "must be 12 to 200 characters",
        ));
    }
}

pub fn validate_name(pointer: &str, name: &str, max: usize, errors: &mut Vec<FieldError>) {
    let n = name.trim().chars().count();
    if n == 0 {
        errors.push(FieldError::coded(
            pointer,
            "text.empty",
            "must not be empty",
        ));
    } else if n > max {
        errors.push(FieldError::coded(
            pointer,
            "text.too_long",
            format!("must be at most {max} characters"),
        ));
    }
}
