//! Tenants' regions and sectors, and the roles people hold in a tenant.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {value:?}; expected one of: {expected}")]
pub struct UnknownValue {
    pub value: String,
    pub expected: String,
}

impl UnknownValue {
    /// The stable code of this failure: `choice.unknown`.
    pub fn code(&self) -> &'static str {
        "choice.unknown"
    }
}

macro_rules! closed_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::UnknownValue> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err($crate::UnknownValue {
                        value: s.to_owned(),
                        expected: [$($s),+].join(", "),
                    }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::UnknownValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).map_err(|e| $crate::parse::refused(e.code(), e))
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String { v.as_str().to_owned() }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "enum": [$($s),+]})
            }
        }
    };
}
pub(crate) use closed_enum;

closed_enum!(
    /// The Agency's Guidelines address three kinds of organisation.
    Sector {
        PublicBody => "public_body",
        QuasiPublic => "quasi_public",
        Private => "private",
    }
);

closed_enum!(
    /// The 17 regions and 3 cities of republican significance (since 2022,
    /// when Abai, Jetisu and Ulytau regions were formed).
    Region {
        Astana => "astana",
        Almaty => "almaty",
        Shymkent => "shymkent",
        Abai => "abai",
        Akmola => "akmola",
        Aktobe => "aktobe",
        AlmatyRegion => "almaty_region",
        Atyrau => "atyrau",
        EastKazakhstan => "east_kazakhstan",
        Jambyl => "jambyl",
        Jetisu => "jetisu",
        WestKazakhstan => "west_kazakhstan",
        Karaganda => "karaganda",
        Kostanay => "kostanay",
        Kyzylorda => "kyzylorda",
        Mangystau => "mangystau",
        Pavlodar => "pavlodar",
        NorthKazakhstan => "north_kazakhstan",
        Turkistan => "turkistan",
        Ulytau => "ulytau",
    }
);

closed_enum!(
    /// Roles within a tenant, plus the platform-wide ones.
    Role {
        TenantAdmin => "tenant_admin",
        ComplianceOfficer => "compliance_officer",
        HrOfficer => "hr_officer",
        ProcurementOfficer => "procurement_officer",
        Employee => "employee",
        AgencyAuditor => "agency_auditor",
        PlatformAdmin => "platform_admin",
    }
);

impl Role {
    /// Roles a tenant admin may grant inside a tenant.
    pub fn is_tenant_role(self) -> bool {
        !matches!(self, Role::AgencyAuditor | Role::PlatformAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_regions() {
        assert_eq!(Region::ALL.len(), 20);
        for r in Region::ALL {
            assert_eq!(Region::parse(r.as_str()).unwrap(), *r);
        }
    }

    #[test]
    fn unknown_values_list_the_expected_ones() {
        let e = Sector::parse("ngo").unwrap_err();
        assert!(e.to_string().contains("public_body, quasi_public, private"));
        assert!(serde_json::from_str::<Role>("\"admin\"").is_err());
    }
}
