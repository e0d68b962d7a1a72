# Resguardo — the staff pages (the organisation's people who review what arrived).
#
# English is the source: every other locales/<lang>/staff.ftl has exactly these messages and
# uses only the variables a message has here. Syntax as in app.ftl.

## Every page

staff-title = { $page } · Resguardo staff
staff-brand = Resguardo staff
nav-cases = Cases
nav-enrolment = Enrolment codes
nav-devices = Devices
nav-audit = Audit log
signed-in-as = { $user } ({ $role })
role-admin = administrator
role-reviewer = reviewer
log-out = Log out
language = Language
change-language = Change

## Signing in

log-in = Log in
username = Username
password = Password
login-wrong =
    { $minutes ->
        [one] Wrong username or password. After { $attempts } failed attempts an account is locked for 1 minute.
       *[other] Wrong username or password. After { $attempts } failed attempts an account is locked for { $minutes } minutes.
    }
login-too-many = Too many attempts. Wait a minute and try again.

## Problems

for-admins = This page is for administrators.
form-expired = This form has expired. Go back, reload the page and try again.
nothing-here = Nothing here.
bad-dates = Dates are YYYY-MM-DD.
bad-receipt = That is not a receipt code (10 letters and digits, like 7K3MQ-9XA0Z).
bad-review-state = Unknown review state.
bad-days = “Days valid” must be a number from 1 to 3650.

## Cases

cases = Cases
receipt-code = Receipt code
from = From
to = To
review-state = State
any-state = Any
state-new = New
state-reviewed = Reviewed
search = Search
export-from = Export from
export-to = to
download-zip = Download ZIP
col-receipt = Receipt
col-received = Received (UTC)
col-applicant = Applicant
col-people = People
col-review = Review
page-of =
    { $total ->
        [one] Page { $page } of { $pages } · 1 case
       *[other] Page { $page } of { $pages } · { $total } cases
    }
newer = Newer
older = Older

## One case

case-title = Case { $code }
case-summary =
    { $people ->
        [one] Receipt { $code } · received { $at } · 1 person
       *[other] Receipt { $code } · received { $at } · { $people } people
    }
applicant = Applicant
family-member = Family member { $n }
note = Note
no-photos = No photos.
full-size = full size
review = Review
reviewed-by = Reviewed by { $user } at { $at }
mark-reviewed = Mark reviewed

## Enrolment codes, devices, audit log

label = Label
label-placeholder = Shelter A, December
days-valid = Days valid (empty: no end)
shared-tablets = For shared tablets (each family locks its case with a PIN)
create-code = Create code
col-code = Code
col-label = Label
col-state = State
col-uses = Uses
col-kind = Kind
kind-shared = Shared tablet
kind-personal = Personal phone
col-install-link = Install link
revoke = Revoke
status-active = active
status-expired = expired
status-revoked = revoked
col-device = Device
col-registered = Registered
col-enrolment-code = Enrolment code
col-when = When (UTC)
col-who = Who
col-what = What
col-case = Case
col-detail = Detail

## Forms

nav-forms = Forms
col-form = Form
col-version = Version
col-title = Title
form-published = Published
form-draft = Draft
form-built-in = Published (built in)
form-file = Form file (JSON, YAML or XLSForm .xlsx)
upload-draft = Upload as a draft
publish-form = Publish this version
forms-note = A draft is seen only here. Devices receive a version once it is published, and a published version never changes: cases begun on it are accepted for good.
form-problems = This definition cannot be used. Fix these problems and upload the file again:
form-unreadable = The file could not be read:
form-changed = This version is already published with other content, and published versions never change. Give the file a new version number.
form-not-newer = A newer version of this form is already published. Give the file a higher version number.
form-no-file = Choose a form file to upload.
form-languages = Languages
required-field = required
shown-when = shown when
try-form = Try this form
try-it = Try it
try-note = Fill it in as a person would and press Check: the same rules as for delivered cases judge it, and nothing is stored. Questions shown only for some answers appear after Check.
try-form-language = Form language
try-check = Check
try-add-entry = Add:
try-remove-entry = Remove this entry
try-photos-in-app = Document photos are taken in the app.
try-yes = Yes
try-no = No
try-problem = Problem
try-problems = These answers would be refused:
try-no-problems = No problems. A device would send these answers:

## /r/{code}: the public page a person opens with only their receipt code
public-title = Your appointment
public-receipt = Receipt
public-appointment = Appointment
public-when = When
public-length = Length
public-minutes = { $minutes } min
public-place = Place
public-changed = Staff changed this appointment; this is the new one.
public-cancelled = Staff cancelled the appointment; they will give you another.
public-no-appointment = No appointment yet: staff will give you one.
public-review = Your case
public-state-new = Received; not reviewed yet.
public-state-reviewed = Reviewed by the organisation.
public-not-found = Not found.
public-too-many = Too many lookups. Wait a minute and try again.
public-date = { $month } { $day }, { $year }
public-date-time = { $date } at { $time } (local time at the place)
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Appointments: slots by day, a household's appointment
nav-slots = Appointments
slot-place = Place
slot-starts-at = Starts at (with its offset)
slot-minutes = Minutes
slot-capacity = Capacity (people)
create-slot = Publish slot
no-slots = No slots from today on.
day-summary = Households: { $households } · People: { $people }
col-start = Starts
col-place = Place
col-length = Length
col-booked = People booked
col-households = Households
slot-open = open
slot-closed = closed
slot-cancelled = cancelled
close-slot = Close (no new bookings)
cancel-slot = Cancel slot
slot-summary = Households: { $households } · People: { $people } of { $capacity }
bad-slot = A slot needs a place, 1 to 600 minutes and room for 1 to 10000 people.
bad-slot-start = The start needs its date, time and offset, like 2026-12-10T09:00-07:00.
appointment = Appointment
no-appointment = No appointment: give the household one.
move-to = Move to
move-household = Move the whole household
cancel-appointment = Cancel the appointment
slot-no-room = That slot has no room for every person of this household; nothing changed.
slot-not-open = That slot is closed or cancelled; nothing changed.
