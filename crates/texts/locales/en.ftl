# The emails Adal sends (alerts of findings), in English. Every key here is
# in kk.ftl and ru.ftl too (crates/texts tests check).
severity-low = low
severity-medium = medium
severity-high = high
severity-critical = critical
alert-subject = [Adal] A { $severity } finding: { $title }
alert-intro = A finding of { $severity } severity needs the compliance unit's attention.
alert-rule = Rule
alert-lxi = Likelihood × impact
alert-filing = Filing received
alert-finding = Finding
alert-open = Open it in Adal
assigned-subject = [Adal] A finding was assigned to you: { $title }
assigned-intro = A finding was assigned to you in Adal. Sign in to see what it concerns.
digest-subject-hourly = [Adal] Hourly alert digest: { $count } findings
digest-subject-daily = [Adal] Daily alert digest: { $count } findings
digest-intro = Findings at or above the alert threshold recorded from { $start } to { $end } (UTC): { $count }. Each needs the compliance unit's attention.
digest-severity = { $severity } severity
digest-concerns = Concerns
