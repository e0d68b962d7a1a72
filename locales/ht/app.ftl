# Resguardo — aplikasyon moun yo itilize sou telefòn yo ak sou tablèt yo pataje.
# Kreyòl ayisyen (ht): òtograf ofisyèl, mo ki senp (gen moun ki pa li anpil).
#
# Tradui soti nan locales/en/app.ftl: menm mesaj yo, nan menm lòd, ak menm varyab yo.
# Mo kle yo nan GLOSSARY.md. CLDR pa fè diferans singilye/pliryèl pou ht: pa gen [one].

## The app

app-name = Resguardo
tagline = Tout sa ou ekri sere sou aparèy sa a, menm lè pa gen entènèt.
language-label = Lang
online = Gen entènèt
offline = Pa gen entènèt — travay ou an sekirite sou aparèy sa a
update-ready = Yon nouvo vèsyon aplikasyon an pare.
update-now = Mete l ajou kounye a
loading = L ap chaje…
# Shown in the page itself before the app has loaded, the first time only.
boot-loading = N ap chaje aplikasyon an. Sa fèt yon sèl fwa; apre sa, li mache san entènèt.
skip-to-content = Ale nan kontni an
not-found = Nou pa jwenn paj sa a.
part-missing = Pati sa a nan aplikasyon an poko telechaje. Konekte sou entènèt la yon fwa, epi eseye ankò. Sa ou te ekri a an sekirite sou aparèy sa a.
part-missing-retry = Eseye ankò

## My cases

my-cases = Dosye mwen yo
new-case = Kòmanse yon nouvo fòm
no-cases = Poko gen okenn fòm sou aparèy sa a.
unnamed = (poko gen non)
people = { $n } moun
storage-usage = Aparèy sa a kenbe { $used } done aplikasyon an, sou anviwon { $quota } plas li ka itilize.
storage-not-reported = Navigatè sa a pa di konbyen plas aplikasyon an itilize.
case-not-found = Fòm sa a pa sou aparèy sa a.

## The form

step-of = Etap { $n } sou { $total }
step-about = Sou ou menm
step-languages = Lang ak bezwen
step-family = Fanmi k ap vwayaje avè w
step-documents = Dokiman
step-review = Verifye epi voye
next = Swivan
back = Retounen
send = Voye
edit-again = Korije epi voye ankò
delete-draft = Efase bouyon sa a
confirm-delete = Efase bouyon sa a sou aparèy la? Ou p ap ka fè l tounen apre.
this-form = Fòm sa a
fix-problems = Gen kèk repons ki bezwen korije anvan ou voye.
none = Okenn

## About you

full-name = Non konplè
date-of-birth = Dat nesans
date-day = Jou
date-month = Mwa
date-year = Ane
choose-month = Mwa
country-of-origin = Peyi orijin
search-countries = Chèche yon peyi
stateless = San nasyonalite oswa nou pa konnen
phone = Nimewo telefòn (si ou vle)

## Languages and needs

languages-spoken = Lang ou pale
search-languages = Chèche yon lang
most-chosen = Sa moun chwazi plis isit la
no-match = Nou pa jwenn anyen pou “{ $query }”.
needs-question = Èske ou menm oswa fanmi ou bezwen youn nan bagay sa yo?
needs-note = Èske gen lòt bagay nou ta dwe konnen? (si ou vle)
need-medical = Swen medikal
need-disability = Sipò pou andikap
need-pregnancy = Swen pou fanm ansent
need-unaccompanied-child = Yon timoun k ap vwayaje pou kont li
need-shelter = Kote pou rete (abri)
need-legal-aid = Èd legal
need-interpreter = Yon entèprèt
need-safety = Pwoteksyon kont danje

## Family

member-n = Manm fanmi { $n }
add-member = Ajoute yon manm fanmi
remove-member = Retire
confirm-remove-member = Retire { $name } nan fòm sa a? Y ap efase { $n } foto dokiman li tou.
no-members = Ou poko ajoute okenn manm fanmi. Ajoute tout moun k ap vwayaje avè w pou nou rete ansanm.
relationship = Relasyon li avè w
choose-relationship = Chwazi
rel-spouse = Mari, madanm oswa konpayon
rel-child = Pitit gason oswa pitit fi
rel-parent = Manman oswa papa
rel-sibling = Frè oswa sè
rel-grandparent = Granpapa oswa grann
rel-grandchild = Pitit pitit
rel-other-relative = Lòt moun nan fanmi an
rel-other = Pa fanmi

## Documents

documents-intro = Pran yon foto chak dokiman (paspò oswa kat idantite, batistè…). Foto yo rete sou aparèy sa a jiskaske yo voye; nou retire enfòmasyon ki di ki kote yo te pran foto a.
you = Ou menm
photo-kind = Ki kalite dokiman
kind-id-document = Paspò oswa kat idantite
kind-birth-certificate = Batistè (ak nesans)
kind-other = Lòt dokiman
take-photo = Pran yon foto
choose-photo = Chwazi nan galri a
retake = Pran l ankò
delete-photo = Efase
photo-processing = N ap prepare foto a…
photos-not-ready = Tann tout foto yo pare, epi voye.
photo-unreadable = Nou pa t ka li imaj sa a. Tanpri pran l ankò oswa efase l.
photo-unreadable-send = Nou pa t ka li yon foto. Efase l oswa pran l ankò, epi voye.
photo-not-kept = Nou pa t ka kenbe foto sa a sou aparèy sa a, kidonk li pa t ap voye. Tanpri pran l ankò.
photo-not-kept-full = Nou pa t ka kenbe foto sa a: pa gen plas ankò sou aparèy la. Libere yon ti plas, epi pran l ankò.
review-photo-not-kept = Nou pa t ka kenbe yon foto dokiman sou aparèy sa a, e li pa p voye. Retounen nan Dokiman epi pran l ankò.
# A photo's name for screen readers: "Passport or ID page of Luis, ready".
photo-name = { $kind } pou { $person }, foto a { $state }
photo-state-ready = pare
photo-state-preparing = poko pare
photo-state-unreadable = pa lisib
photo-hard-to-read = Li ka difisil pou li foto sa a. Pran l ankò?
photo-too-dark = Li sanble twò fènwa.
photo-too-blurry = Li sanble twoub.
orphan-photos = Dokiman yon moun ki pa nan fòm sa a ankò
orphan-photos-hint = Efase foto sa yo; sinon, fòm nan p ap ka voye.

## Check and send

review-intro = Verifye repons ou yo. Ou ka retounen pou chanje nenpòt bagay.
review-documents = Foto dokiman ki pral voye
no-documents = Pa gen foto dokiman.
server-found-problems = Sèvè òganizasyon an pa t ka aksepte fòm sa a. Korije sa li jwenn yo, epi voye ankò:
server-problem-send-again = Verifye repons yo ak foto yo, epi voye ankò.

## Saving

saving = N ap sere…
saved-on-device = Sere sou aparèy sa a
save-failed = Nou pa t ka sere sou aparèy sa a.
storage-unavailable = Navigatè sa a pa ka kenbe repons ou yo (petèt se yon fenèt prive?). Louvri aplikasyon an nan yon fenèt nòmal.
quota-exceeded = Aparèy sa a pa gen plas ankò. Sa ou ekri a toujou sou ekran an; libere yon ti plas epi l ap sere.

## Where a form stands

state-draft = Bouyon
state-saved = Sere sou aparèy sa a
state-sending = Ap voye
state-delivered = Rive
state-attention = Bezwen atansyon w
explain-queued = L ap voye pou kont li depi gen koneksyon. Ou ka fèmen aplikasyon an.
explain-sending = N ap voye l kounye a. Si koneksyon an koupe, anyen p ap pèdi.
explain-waiting-auth = Done ou yo an sekirite sou aparèy sa a. Tanpri konekte ankò pou yo ka voye.
explain-delivered = Òganizasyon an resevwa fòm ou an.
photos-progress = { $sent } foto sou { $total } voye, { $percent } %
receipt-label = Kòd resi ou
receipt-hint = Ekri kòd sa a oswa pran l an foto. Avè l, ekip la ka jwenn fòm ou an.
receipt-what-to-do = Kenbe kòd sa a jiskaske ekip la kontakte w. Montre ekip la li, oswa kòd QR li: se konsa yo jwenn fòm ou an. Ou pa bezwen voye fòm nan ankò.
receipt-qr-label = Kòd QR kòd resi ou { $code }
receipt-print-view = Vèsyon pou enprime
receipt-print-title = Resi pou enprime
receipt-print-name-option = Mete non m sou fèy enprime a
receipt-print-name-label = Non
receipt-print-now = Enprime
received-at = Resevwa: { $at }
rejected-invalid = Sèvè a jwenn pwoblèm nan kèk repons. Tanpri korije yo epi voye ankò.
rejected-conflict = Yon lòt fòm te deja voye ak nimewo sa a. Tanpri mande yon moun nan ekip la pou ede w.
rejected-outdated = Aplikasyon sa a pa ajou. Mete l ajou, epi fòm ou an ap voye.
rejected-other = Sèvè a pa t ka aksepte fòm sa a. Tanpri mande yon moun nan ekip la pou ede w.
photo-missing-on-device = Yon foto fòm sa a pa sou aparèy sa a ankò. Korije fòm nan epi voye ankò.
update-app = Mete aplikasyon an ajou

## Signing in again

sign-in-again = Konekte ankò
enrolment-code-label = Kòd òganizasyon an
enrolment-code-hint = Tape kòd òganizasyon an te ba ou a (sou afich la oswa sou kat la).
enrolment-code-invalid = Kòd sa a pa bon. Verifye l epi eseye ankò.

## What is wrong with an answer

err-required = Tanpri ranpli sa a.
err-too-long = Sa a twò long.
err-invalid-date = Sa a pa yon dat ki bon.
err-date-in-future = Dat sa a poko rive.
err-date-too-old = Dat sa a twò lontan.
err-invalid-phone = Sèvi sèlman ak chif, espas, tirè, epi yon + nan kòmansman si ou vle.
err-invalid-choice = Tanpri chwazi youn nan chwa yo.
err-duplicate = Sa a parèt de fwa.
err-too-many = Twòp manm fanmi nan yon sèl fòm.
err-unsupported-form = Yo pa aksepte vèsyon fòm sa a ankò; mete aplikasyon an ajou.
err-too-short = Sa a twò kout.
err-too-few = Tanpri ajoute plis antre.
err-invalid-format = Sa a pa nan fòm yo atann nan.
err-invalid-number = Tanpri ekri yon nimewo.
err-out-of-range = Nimewo sa a pa nan sa yo pèmèt.
err-date-too-late = Dat sa a twò ta.
err-invalid-value = Yo pa ka sèvi ak repons sa a; tanpri reponn ankò.
err-unknown-field = Repons sa a pa fè pati fòm nan.
err-constraint = Tanpri verifye repons sa a.

## Names of languages a person may speak that browsers often cannot name
## (the others are named by the browser in the reader's language).

lang-qu = kechwa
lang-ay = aymara
lang-gn = gwarani
lang-nah = nawatl
lang-mam = mam
lang-quc = k’iche’
lang-kek = q’eqchi’
lang-ti = tigrinya
lang-wo = wolòf
lang-ln = lingala
lang-ff = pèl (fula)
lang-tw = twi

## Forms the organisation defines

answer-yes = Wi
answer-no = Non
add-entry = Ajoute: { $label }
entry-n = { $label } { $n }
new-form-case = Kòmanse: { $title }
form-missing = Fòm sa a poko sou aparèy la. Konekte sou entènèt yon fwa pou aplikasyon an ka chèche l.
no-entries = Poko gen anyen ki ajoute.

## Shared tablets: each family's form locked with its own PIN

shared-tablet = Tablèt pataje: fòm chak fanmi fèmen ak pwòp PIN li. Pèsonn lòt moun pa ka louvri l.
pin-title = Chwazi yon PIN pou fòm ou
pin-hint = 6 chif, oswa yon fraz 8 karaktè oswa plis. W ap bezwen l pou w louvri fòm ou ankò sou tablèt sa a.
pin-label = PIN oswa fraz
pin-again = Menm bagay la ankò
pin-start = Kòmanse fòm mwen
pin-cancel = Anile
pin-six-digits = Yon PIN gen 6 chif.
pin-passphrase-short = Yon fraz gen omwen 8 karaktè.
pin-mismatch = De yo pa menm.
pin-working = N ap fèmen fòm ou…
locked-case = Kòmanse { $when } · fèmen
locked-title = Fòm sa a fèmen
locked-hint = Tape PIN oswa fraz ou te chwazi lè w te kòmanse fòm nan.
unlock = Louvri
unlocking = N ap louvri…
wrong-pin = PIN sa a pa louvri fòm sa a.
pin-wait =
    { $seconds ->
        [one] Twòp move esè. Tann 1 segonn, epi eseye ankò. Anyen pa efase.
       *[other] Twòp move esè. Tann { $seconds } segonn, epi eseye ankò. Anyen pa efase.
    }
seal-no-key = Tablèt sa a poko resevwa kle òganizasyon an, kidonk fòm ou pa ka voye an sekirite. Li rete fèmen isit la: konekte tablèt la sou entènèt yon fwa, epi voye l ankò.
finish-and-lock = Fini epi fèmen
locked-for-next = Fòm ou fèmen. Se sèlman PIN ou ki louvri l.
tablet-link = Pou volontè: sa tablèt sa a kenbe
tablet-title = Sa tablèt sa a kenbe
tablet-code-hint = Tape kòd enskripsyon tablèt sa a pou w wè sa l kenbe. Pa gen okenn non ki parèt.
tablet-code-label = Kòd enskripsyon
tablet-show = Montre
tablet-wrong-code = Sa a se pa kòd enskripsyon tablèt sa a.
tablet-no-code = Tablèt sa a te enskri san kòd, kidonk ekran sa a pa ka louvri isit la.
tablet-locked-drafts = Fòm fèmen ki poko voye: { $n }
tablet-waiting = Fòm k ap tann pou yo voye: { $n }
tablet-need-attention = Fòm ki bezwen fanmi yo: { $n }
tablet-delivered = Fòm ki rive: { $n }
tablet-last-delivery = Dènye livrezon: { $when }
tablet-no-delivery = Poko gen anyen ki rive soti nan tablèt sa a.

# Forgotten PIN: a staff member opens the form, the family chooses a new PIN.
forgot-pin = Ou bliye PIN an?
forgot-pin-how = Yon manm ekip la ka louvri fòm sa a pou ou. Li konekte sou tablèt sa a (lyen an louvri nan yon lòt onglè), li tounen la a epi li peze “Louvri ak koneksyon ekip la”. Apre sa, ou chwazi yon nouvo PIN. Anyen ou te ekri pa pèdi.
staff-sign-in-link = Koneksyon ekip la
staff-open = Louvri ak koneksyon ekip la
staff-opening = N ap louvri…
recover-sign-in-first = Yon manm ekip la dwe konekte sou tablèt sa a anvan.
recover-offline = Sa bezwen koneksyon ak òganizasyon an. Eseye ankò lè tablèt la sou entènèt.
recover-not-possible = Fòm sa a louvri sèlman ak PIN li: li te kòmanse anvan tablèt sa a te resevwa kle òganizasyon an.
recover-failed = Nou pa t ka louvri fòm nan konsa. Mande manm ekip la eseye ankò.
new-pin-title = Chwazi yon nouvo PIN
new-pin-hint = Fòm nan louvri. Chwazi yon nouvo PIN (6 chif) oswa yon fraz (omwen 8 karaktè): depi kounye a se sèlman li ki louvri fòm sa a.
new-pin-save = Anrejistre nouvo PIN an
tablet-or-staff = Oswa yon manm ekip la konekte sou tablèt sa a (lyen an louvri nan yon lòt onglè), li tounen la a epi li peze “Louvri ak koneksyon ekip la”.
start-with-pin = Fèmen fòm mwen ak yon PIN
start-with-pin-hint = Pou yon telefòn lòt moun sèvi: fòm nan kenbe ankripte, li louvri sèlman ak PIN ou, epi li fèmen lè ou kite aplikasyon an.

## The household's appointment on the receipt
appointment-title = Randevou ou
appointment-length = { $minutes } minit
appointment-everyone = Randevou a se pou tout moun ki nan fòm sa a: vini ansanm.
appointment-none = Poko gen randevou: ekip la ap ba ou youn.

## Choosing an appointment on the last step (the list is kept on the device)
appointment-choose-title = Chwazi randevou ou
appointment-choose-hint = Ou ka chwazi jiska 3 lè ki bon pou ou, nan lòd. Lè fòm ou a rive, tout moun ladan l ap jwenn premye lè ki toujou gen plas pou nou tout; si pa gen youn, premye lè ki lib la. Ou ka pa chwazi okenn tou.
appointment-slots-as-of = Lè ki lib depi { $when }. Gen kèk ki ka plen depi lè sa a.
appointment-no-slots-yet = Aparèy sa a poko gen lè randevou yo (li resevwa yo lè li gen entènèt). Ou ka voye fòm ou a kanmenm: w ap resevwa yon randevou lè li rive.
appointment-no-slots = Pa gen lè ki lib kounye a. Ou ka voye fòm ou a kanmenm: ekip la ap ba ou yon randevou.
appointment-places-free =
    { $n ->
        [one] 1 plas lib
       *[other] { $n } plas lib
    }
appointment-too-small =
    { $n ->
        [one] Se 1 sèl plas ki rete: li pa ase pou tout moun nan fòm ou a
       *[other] Se { $n } plas sèlman ki rete: yo pa ase pou tout moun nan fòm ou a
    }
appointment-choice = Chwa { $n }
appointment-max-chosen = Ou chwazi 3 lè deja. Pou chwazi yon lòt, retire youn anvan.

## The appointment after sending, as it stands now
appointment-changed = Ekip la chanje randevou ou ({ $when }).
appointment-cancelled = Ekip la anile randevou ou ({ $when }). Y ap ba ou yon lòt.
appointment-before = Anvan: { $when }
appointment-staff-note = Nòt ekip la:
receipt-lookup = Gade randevou ou nenpòt lè, sou nenpòt telefòn oswa òdinatè, nan adrès sa a:
appointment-add-to-calendar = Mete l nan kalandriye
appointment-calendar-title = Randevou (resi { $code })
appointment-calendar-description = Pou tout moun nan fòm ou a: vini ansanm epi pote kòd resi { $code } la.
appointment-on-list = Randevou: { $when }
appointment-changed-badge = Ekip la chanje l
appointment-cancelled-badge = Ekip la anile randevou a
