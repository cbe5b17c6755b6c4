# Adal dashboard, English. Every key here must exist in kk.ftl and ru.ftl
# (a unit test checks). Domain words follow the table in DOMAIN.md.

app-name = Adal
skip-to-content = Skip to content
tenant-label = Organisation
role-label = Role
lang-label = Language
lang-switch = Switch
nav-label = Main menu
nav-agency = Organisations
nav-overview = Overview
nav-risk-map = Risk map
nav-findings = Findings
nav-my-filings = My declarations
nav-file-gift = Declare a gift
nav-people = Users and roles
nav-org = Departments and positions
nav-password = Change password
sign-out = Sign out
read-only-banner = Read-only view: the Agency sees this organisation's screens but cannot change anything.
back-home = Back to the start page
required = required
yes = Yes
no = No
nobody = Nobody
no-department = No department
computed-at = Computed:

role-employee = Employee
role-compliance_officer = Compliance officer
role-tenant_admin = Organisation administrator
role-hr_officer = HR officer
role-procurement_officer = Procurement officer
role-agency_auditor = Agency auditor
role-platform_admin = Platform administrator

severity-low = Low
severity-medium = Medium
severity-high = High
severity-critical = Critical
band-low = low risk
band-medium = medium risk
band-high = high risk
band-critical = critical risk

status-open = Open
status-resolved = Resolved
status-false_positive = False positive
status-received = Received, being checked
status-evaluated = Checked
status-failed = Check failed

area-gifts = Gifts
area-conflict_of_interest = Conflict of interest
area-procurement = Public procurement
area-hr = Personnel
area-assets = Assets and income
area-unknown = Other

kind-gift = Gift

signin-title = Sign in
signin-email = Email
signin-password = Password
signin-submit = Sign in
signin-failed = Wrong email or password.

password-title = Change password
password-current = Current password
password-new = New password (at least 12 characters)
password-confirm = New password again
password-submit = Change password
password-changed = Your password has been changed. Your other sessions have been signed out.
password-wrong-current = The current password is wrong.
password-too-short = The new password must be 12 to 200 characters long.
password-mismatch = The two new passwords differ.

error-403-title = Not allowed
error-403-body = Your role does not give access to this page.
error-404-title = Not found
error-404-body = There is no such page, or it is not yours to see.
error-csrf-title = Form expired
error-csrf-body = This form is out of date or was not sent from Adal. Go back, reload the page and try again.
error-500-title = Something went wrong
error-500-body = The error has been logged. Please try again later.

form-has-errors = Some fields need correcting; see the messages next to them.
err-empty = Fill this in.
err-too-long = This is too long.
err-future = The date cannot be in the future.
err-date = Enter a date.
err-bin = This is not a valid BIN (12 digits with a correct check digit).
err-choice = Choose one of the options.
err-money = Enter an amount in tenge with at most two decimals, e.g. 150000.00.
err-invalid = This value is not valid.
err-already-closed = This finding has already been closed.

gift-title = Declare a gift
gift-intro = Declare every gift or hospitality you received or gave in connection with your work. The compliance officer will see it.
gift-direction = The gift was
gift-direction-received = received
gift-direction-given = given
gift-giver-name = Giver (person or organisation)
gift-giver-bin = Giver's BIN
gift-giver-bin-hint = Only when the giver is an organisation: 12 digits.
gift-description = What the gift was
gift-value = Value
gift-value-hint = In tenge, e.g. 150000.00
gift-date = Date
gift-occasion = Occasion
gift-submit = Submit the declaration
gift-filed = Your declaration has been received. It will be checked in a moment.

my-title = My declarations
my-none = You have not submitted any declarations yet.
my-findings = Findings
my-no-findings = No findings.
col-received = Received

overview-title = Overview
overview-summary = Open findings
overview-open-findings = open findings
overview-by-area = Open findings by area and severity
overview-by-area-caption = Open findings by area (rows) and severity (columns)
overview-none-open = There are no open findings.
overview-positions = Positions by risk
overview-positions-caption = Positions ranked by the risk of their open findings
overview-no-positions = No position has open findings.
overview-see-risk-map = See the risk map

risk-map-title = Corruption risk map
risk-map-heading = Risk map: { $n } open findings
risk-map-desc = { $n } open findings by likelihood (1 to 5, left to right) and impact (1 to 5, bottom to top).
risk-map-cell = Likelihood { $l }, impact { $i }: { $n } findings, { $band }
risk-map-caption = Each cell links to the findings behind it. The table beside the map gives the same numbers.
risk-map-table-caption = Open findings by likelihood and impact
risk-map-by-department = By department and area
risk-map-by-department-caption = Open findings by department, area, likelihood and impact
likelihood = Likelihood
impact = Impact

findings-title = Findings
findings-caption = Findings, newest first
findings-shown = Showing { $shown } of { $total }
filters = Filters
filter-any = Any
filter-apply = Apply filters

finding-title = Finding
back-to-findings = Back to the findings
comments-title = Comments
comments-none = No comments yet.
triage-title = Triage
triage-assign-to = Assign to
triage-assign = Assign
triage-comment = Comment
triage-add-comment = Add the comment
triage-reason = Reason for closing
triage-resolve = Resolve
triage-false-positive = Mark as false positive

col-tenant = Organisation
col-bin = BIN
col-region = Region
col-open-findings = Open findings
col-high-risk-findings = High or critical risk
col-area = Area
col-total = Total
col-position = Position
col-department = Department
col-high-risk-list = On the high-risk list
col-score = Risk score
col-band = Risk level
col-severity = Severity
col-status = Status
col-found = Found
col-rule = Rule
col-lxi = Likelihood × impact
col-explanation = Explanation
col-assignee = Assigned to
col-reason = Reason
col-decided = Decided by
col-name = Name
col-email = Email
col-parent = Parent department
col-risk-level = Corruption-risk level

agency-title = Organisations
agency-intro = Every organisation on Adal with its open findings. Open one to see its overview and risk map, read-only.
agency-tenants = Organisations and their posture

people-title = Users and roles
people-caption = Users of the organisation and their roles
org-title = Departments and positions
org-departments = Departments
org-positions = Positions
