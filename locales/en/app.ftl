# Resguardo — the app people use on their phones and on shared tablets.
#
# English is the source: every other locales/<lang>/app.ftl has exactly these messages (the
# build fails otherwise) and uses only the variables a message has here.
#
# Syntax (Project Fluent): `key = text`; `{ $name }` is a value the app fills in; plurals are
#   { $n ->
#       [one] one photo
#      *[other] { $n } photos
#   }
# with the CLDR categories of your language (zero, one, two, few, many, other); `*` marks the
# one used when nothing else fits. Keep the words plain: some people read little.

## The app

app-name = Resguardo
tagline = Everything you type is saved on this device, even without internet.
language-label = Language
online = Online
offline = Offline — your work is safe on this device
update-ready = A new version of the app is ready.
update-now = Update now
loading = Loading…
# Shown in the page itself before the app has loaded, the first time only.
boot-loading = Loading the app. This happens only once; after that it works without internet.
skip-to-content = Skip to the content
not-found = Page not found.
# Shown when a part of the app has not reached this device yet (the connection dropped while it
# was downloading); nothing typed is lost.
part-missing = This part of the app has not been downloaded yet. Connect to the internet once, then try again. What you typed is safe on this device.
part-missing-retry = Try again

## My cases

my-cases = My cases
new-case = Start a new form
no-cases = No forms on this device yet.
unnamed = (no name yet)
people =
    { $n ->
        [one] 1 person
       *[other] { $n } people
    }
storage-usage = This device holds { $used } of app data, out of about { $quota } the app may use.
storage-not-reported = This browser does not say how much space the app uses.
case-not-found = This form is not on this device.

## The form

step-of = Step { $n } of { $total }
step-about = About you
step-languages = Languages and needs
step-family = Family travelling with you
step-documents = Documents
step-review = Check and send
next = Next
back = Back
send = Send
edit-again = Correct and send again
delete-draft = Delete this draft
confirm-delete = Delete this draft from the device? This cannot be undone.
this-form = This form
fix-problems = Some answers need attention before sending.
none = None

## About you

full-name = Full name
date-of-birth = Date of birth
date-day = Day
date-month = Month
date-year = Year
choose-month = Month
country-of-origin = Country of origin
search-countries = Search for a country
stateless = Stateless or unknown
phone = Phone number (optional)

## Languages and needs

languages-spoken = Languages you speak
search-languages = Search for a language
most-chosen = Most chosen here
no-match = Nothing matches “{ $query }”.
needs-question = Do you or your family need any of these?
needs-note = Anything else we should know? (optional)
need-medical = Medical care
need-disability = Disability support
need-pregnancy = Pregnancy care
need-unaccompanied-child = A child travelling alone
need-shelter = Shelter
need-legal-aid = Legal help
need-interpreter = An interpreter
need-safety = Protection from danger

## Family

member-n = Family member { $n }
add-member = Add a family member
remove-member = Remove
confirm-remove-member =
    { $n ->
        [one] Remove { $name } from this form? Their document photo will be deleted too.
       *[other] Remove { $name } from this form? Their { $n } document photos will be deleted too.
    }
no-members = No family members added. Add everyone travelling with you so you stay together.
relationship = Relationship to you
choose-relationship = Choose
rel-spouse = Spouse or partner
rel-child = Son or daughter
rel-parent = Mother or father
rel-sibling = Brother or sister
rel-grandparent = Grandparent
rel-grandchild = Grandchild
rel-other-relative = Other relative
rel-other = Not related

## Documents

documents-intro = Take a photo of each document (passport or ID page, birth certificate…). Photos stay on this device until they are sent; their location data is removed.
you = You
photo-kind = Kind of document
kind-id-document = Passport or ID page
kind-birth-certificate = Birth certificate
kind-other = Other document
take-photo = Take a photo
choose-photo = Choose from gallery
retake = Retake
delete-photo = Delete
photo-processing = Preparing the photo…
photos-not-ready = Wait until every photo is ready, then send.
photo-unreadable = This picture could not be read. Please take it again or delete it.
photo-unreadable-send = A photo could not be read. Delete it or take it again, then send.
photo-not-kept = This photo could not be kept on this device, so it would not be sent. Please take it again.
photo-not-kept-full = This photo could not be kept: the device is out of space. Free some space, then take it again.
review-photo-not-kept = A document photo could not be kept on this device and will not be sent. Go back to Documents and take it again.
# A photo's name for screen readers: "Passport or ID page of Luis, ready".
photo-name = { $kind } of { $person }, { $state }
photo-state-ready = ready
photo-state-preparing = being prepared
photo-state-unreadable = cannot be read
photo-hard-to-read = This photo may be hard to read. Take it again?
photo-too-dark = It looks dark.
photo-too-blurry = It looks blurred.
orphan-photos = Documents of someone no longer in this form
orphan-photos-hint = Delete these photos; until then, this form cannot be sent.

## Check and send

review-intro = Check your answers. You can go back to change anything.
review-documents = Document photos that will be sent
no-documents = No document photos.
server-found-problems = The organisation's server could not accept this form. Correct what it found and send again:
server-problem-send-again = Check the answers and the photos, then send again.

## Saving

saving = Saving…
saved-on-device = Saved on this device
save-failed = Could not save on this device.
storage-unavailable = This browser cannot keep your answers (a private window, perhaps?). Open the app in a normal window.
quota-exceeded = This device is out of space. What you typed is still on screen; free some space and it will be saved.

## Where a form stands

state-draft = Draft
state-saved = Saved on this device
state-sending = Sending
state-delivered = Delivered
state-attention = Needs your attention
explain-queued = It will be sent by itself as soon as there is a connection. You can close the app.
explain-sending = Sending now. If the connection drops, nothing is lost.
explain-waiting-auth = Your data is safe on this device. Please sign in again so it can be sent.
explain-delivered = The organisation has received your form.
photos-progress =
    { $total ->
        [one] { $sent } of 1 photo sent, { $percent } %
       *[other] { $sent } of { $total } photos sent, { $percent } %
    }
receipt-label = Your receipt code
receipt-hint = Write this code down or take a photo of it. Staff can find your form with it.
receipt-what-to-do = Keep this code until staff contact you. Show it, or its QR code, to staff: it is how they find your form. You do not need to send the form again.
receipt-qr-label = QR code of your receipt code { $code }
receipt-print-view = Print view
receipt-print-title = Receipt to print
receipt-print-name-option = Put my name on the printout
receipt-print-name-label = Name
receipt-print-now = Print
received-at = Received: { $at }
rejected-invalid = The server found problems in some answers. Please correct them and send again.
rejected-conflict = A different form was already sent with this number. Please ask a staff member for help.
rejected-outdated = This app is out of date. Update it, then your form will be sent.
rejected-other = The server could not accept this form. Please ask a staff member for help.
photo-missing-on-device = A photo of this form is no longer on this device. Correct the form and send again.
update-app = Update the app

## Signing in again

sign-in-again = Sign in again
enrolment-code-label = Organisation code
enrolment-code-hint = Type the code the organisation gave you (on the poster or the card).
enrolment-code-invalid = This code is not valid. Check it and try again.

## What is wrong with an answer

err-required = Please fill this in.
err-too-long = This is too long.
err-invalid-date = This is not a valid date.
err-date-in-future = This date is in the future.
err-date-too-old = This date is too long ago.
err-invalid-phone = Use only digits, spaces, dashes and an optional + at the start.
err-invalid-choice = Please choose one of the options.
err-duplicate = This appears twice.
err-too-many = Too many family members in one form.
err-unsupported-form = This form version is no longer accepted; update the app.
err-too-short = This is too short.
err-too-few = Please add more entries.
err-invalid-format = This is not in the expected form.
err-invalid-number = Please write a number.
err-out-of-range = This number is outside what is allowed.
err-date-too-late = This date is too late.
err-invalid-value = This answer cannot be used; please answer again.
err-unknown-field = This answer is not part of the form.
err-constraint = Please check this answer.

## Names of languages a person may speak that browsers often cannot name
## (the others are named by the browser in the reader's language).

lang-qu = Quechua
lang-ay = Aymara
lang-gn = Guarani
lang-nah = Nahuatl
lang-mam = Mam
lang-quc = K’iche’
lang-kek = Q’eqchi’
lang-ti = Tigrinya
lang-wo = Wolof
lang-ln = Lingala
lang-ff = Fula
lang-tw = Twi

## Forms the organisation defines

answer-yes = Yes
answer-no = No
add-entry = Add: { $label }
entry-n = { $label } { $n }
new-form-case = Start: { $title }
form-missing = This form is not on this device yet. Connect to the internet once so the app can fetch it.
no-entries = None added yet.

## Shared tablets: each family's form locked with its own PIN

shared-tablet = Shared tablet: each family's form is locked with its own PIN. Nobody else can open it.
pin-title = Choose a PIN for your form
pin-hint = 6 digits, or a passphrase of 8 characters or more. You will need it to open your form again on this tablet.
pin-label = PIN or passphrase
pin-again = The same again
pin-start = Start my form
pin-cancel = Cancel
pin-six-digits = A PIN has 6 digits.
pin-passphrase-short = A passphrase has at least 8 characters.
pin-mismatch = The two are not the same.
pin-working = Locking your form…
locked-case = Started { $when } · locked
locked-title = This form is locked
locked-hint = Type the PIN or passphrase chosen when the form was started.
unlock = Open
unlocking = Opening…
wrong-pin = That PIN does not open this form.
pin-wait =
    { $seconds ->
        [one] Too many wrong tries. Wait 1 second, then try again. Nothing has been erased.
       *[other] Too many wrong tries. Wait { $seconds } seconds, then try again. Nothing has been erased.
    }
seal-no-key = This tablet has not received the organisation's key yet, so your form cannot be sent safely. It stays locked here: connect the tablet to the internet once, then send it again.
finish-and-lock = Finish and lock
locked-for-next = Your form is locked. Only your PIN opens it.
tablet-link = For volunteers: what this tablet holds
tablet-title = What this tablet holds
tablet-code-hint = Type this tablet's enrolment code to see what it holds. No names are shown.
tablet-code-label = Enrolment code
tablet-show = Show
tablet-wrong-code = That is not this tablet's enrolment code.
tablet-no-code = This tablet was enrolled without a code, so this screen cannot be opened here.
tablet-locked-drafts = Locked forms not sent yet: { $n }
tablet-waiting = Forms waiting to be sent: { $n }
tablet-need-attention = Forms that need their family: { $n }
tablet-delivered = Forms delivered: { $n }
tablet-last-delivery = Last delivery: { $when }
tablet-no-delivery = Nothing delivered from this tablet yet.

# Forgotten PIN: a staff member opens the form, the family chooses a new PIN.
forgot-pin = Forgot the PIN?
forgot-pin-how = A staff member can open this form for you. They sign in on this tablet (the link opens in a new tab), come back here and press “Open with staff sign-in”. Then you choose a new PIN. Nothing you wrote is lost.
staff-sign-in-link = Staff sign-in
staff-open = Open with staff sign-in
staff-opening = Opening…
recover-sign-in-first = A staff member must sign in on this tablet first.
recover-offline = This needs a connection to the organisation. Try again when the tablet is online.
recover-not-possible = This form can only be opened with its PIN: it was started before this tablet had received the organisation’s key.
recover-failed = The form could not be opened this way. Ask the staff member to try again.
new-pin-title = Choose a new PIN
new-pin-hint = The form is open. Choose a new PIN (6 digits) or a passphrase (at least 8 characters): from now on only it opens this form.
new-pin-save = Save the new PIN
tablet-or-staff = Or a staff member signs in on this tablet (the link opens in a new tab), comes back here and presses “Open with staff sign-in”.
start-with-pin = Lock my form with a PIN
start-with-pin-hint = For a phone other people use: the form is kept encrypted, opens only with your PIN, and locks when you leave the app.

## The household's appointment on the receipt
appointment-title = Your appointment
appointment-length =
    { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }
appointment-everyone = The appointment is for everyone in this form: come together.
appointment-none = No appointment yet: staff will give you one.

## Choosing an appointment on the last step (the list is kept on the device)
appointment-choose-title = Choose your appointment
appointment-choose-hint = You may choose up to 3 times that suit you, in order. When your form arrives, everyone in it gets the first of them that still has room for all of you; if none has, the earliest free time. You can also choose none.
appointment-slots-as-of = Free times as of { $when }. Some may have filled since.
appointment-no-slots-yet = This device has no appointment times yet (it gets them when it is online). You can send your form anyway: you will get an appointment when it arrives.
appointment-no-slots = There are no free times right now. You can send your form anyway: staff will give you an appointment.
appointment-places-free =
    { $n ->
        [one] 1 place free
       *[other] { $n } places free
    }
appointment-too-small =
    { $n ->
        [one] Only 1 place free: not enough for everyone in your form
       *[other] Only { $n } places free: not enough for everyone in your form
    }
appointment-choice = Choice { $n }
appointment-max-chosen = You have chosen 3 times. To choose another, untick one first.

## The appointment after sending, as it stands now
appointment-changed = Staff changed your appointment ({ $when }).
appointment-cancelled = Staff cancelled your appointment ({ $when }). They will give you another one.
appointment-before = Before: { $when }
appointment-staff-note = Note from staff:
receipt-lookup = See your appointment at any time, from any phone or computer, at this address:
appointment-add-to-calendar = Add to calendar
appointment-calendar-title = Appointment (receipt { $code })
appointment-calendar-description = For everyone in your form: come together and bring your receipt code { $code }.
appointment-on-list = Appointment: { $when }
appointment-changed-badge = Changed by staff
appointment-cancelled-badge = Appointment cancelled by staff
