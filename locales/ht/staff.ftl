# Resguardo — paj pou ekip la (moun òganizasyon an ki revize sa ki rive).
# Kreyòl ayisyen (ht). Tradui soti nan locales/en/staff.ftl; mo kle yo nan GLOSSARY.md.

## Every page

staff-title = { $page } · Resguardo – ekip
staff-brand = Resguardo – ekip
nav-cases = Dosye
nav-enrolment = Kòd enskripsyon
nav-devices = Aparèy
nav-audit = Jounal aktivite
signed-in-as = { $user } ({ $role })
role-admin = administratè
role-reviewer = revizè
log-out = Dekonekte
language = Lang
change-language = Chanje

## Signing in

log-in = Konekte
username = Non itilizatè
password = Modpas
login-wrong = Non itilizatè a oswa modpas la pa bon. Apre { $attempts } esè ki pa mache, kont la bloke pou { $minutes } minit.
login-too-many = Twòp esè. Tann yon minit epi eseye ankò.

## Problems

for-admins = Paj sa a se pou administratè yo sèlman.
form-expired = Fòm sa a ekspire. Retounen, rechaje paj la epi eseye ankò.
nothing-here = Pa gen anyen la a.
bad-dates = Dat yo ekri konsa: AAAA-MM-JJ (ane-mwa-jou).
bad-receipt = Sa a pa yon kòd resi (10 lèt ak chif, tankou 7K3MQ-9XA0Z).
bad-review-state = Eta revizyon sa a pa egziste.
bad-days = Kantite jou li valab la dwe yon nonm ant 1 ak 3650.

## Cases

cases = Dosye
receipt-code = Kòd resi
from = Depi
to = Jiska
review-state = Eta
any-state = Nenpòt
state-new = Nouvo
state-reviewed = Revize
search = Chèche
export-from = Ekspòte depi
export-to = jiska
download-zip = Telechaje ZIP
col-receipt = Resi
col-received = Resevwa (UTC)
col-applicant = Aplikan
col-people = Moun
col-review = Revizyon
page-of = Paj { $page } sou { $pages } · { $total } dosye
newer = Pi resan
older = Pi ansyen

## One case

case-title = Dosye { $code }
case-summary = Resi { $code } · resevwa { $at } · { $people } moun
applicant = Aplikan
family-member = Manm fanmi { $n }
note = Nòt
no-photos = Pa gen foto.
full-size = gwosè orijinal
review = Revizyon
reviewed-by = { $user } revize l le { $at }
mark-reviewed = Make l revize

## Enrolment codes, devices, audit log

label = Etikèt
label-placeholder = Abri A, desanm
days-valid = Kantite jou li valab (vid: pa gen dat fen)
shared-tablets = Pou tablèt pataje (chak fanmi fèmen dosye li ak yon PIN)
create-code = Kreye kòd
col-code = Kòd
col-label = Etikèt
col-state = Eta
col-uses = Kantite itilizasyon
col-kind = Kalite
kind-shared = Tablèt pataje
kind-personal = Telefòn pèsonèl
col-install-link = Lyen pou enstale
revoke = Anile
status-active = aktif
status-expired = ekspire
status-revoked = anile
col-device = Aparèy
col-registered = Anrejistre
col-enrolment-code = Kòd enskripsyon
col-when = Kilè (UTC)
col-who = Kiyès
col-what = Kisa
col-case = Dosye
col-detail = Detay

## Fòm

nav-forms = Fòm
col-form = Fòm
col-version = Vèsyon
col-title = Tit
form-published = Pibliye
form-draft = Bouyon
form-built-in = Pibliye (ladan l deja)
form-file = Fichye fòm nan (JSON, YAML oswa XLSForm .xlsx)
upload-draft = Voye l kòm bouyon
publish-form = Pibliye vèsyon sa a
forms-note = Se sèlman isit la yo wè yon bouyon. Aparèy yo resevwa yon vèsyon lè li pibliye, epi yon vèsyon ki pibliye pa janm chanje: ka ki kòmanse sou li ap toujou aksepte.
form-problems = Yo pa ka sèvi ak definisyon sa a. Korije pwoblèm sa yo epi voye fichye a ankò:
form-unreadable = Yo pa t ka li fichye a:
form-changed = Vèsyon sa a deja pibliye ak yon lòt kontni, epi vèsyon ki pibliye pa janm chanje. Bay fichye a yon nouvo nimewo vèsyon.
form-not-newer = Yon vèsyon ki pi nouvo fòm sa a deja pibliye. Bay fichye a yon nimewo vèsyon ki pi wo.
form-no-file = Chwazi yon fichye fòm pou voye.
form-languages = Lang
required-field = obligatwa
shown-when = parèt lè
try-form = Eseye fòm sa a
try-it = Eseye l
try-note = Ranpli l jan yon moun ta fè l epi peze Verifye: menm règ ki jije ka ki rive yo jije l, e anyen pa anrejistre. Kesyon ki parèt sèlman pou kèk repons parèt apre Verifye.
try-form-language = Lang fòm nan
try-check = Verifye
try-add-entry = Ajoute:
try-remove-entry = Retire antre sa a
try-photos-in-app = Foto dokiman yo pran nan aplikasyon an.
try-yes = Wi
try-no = Non
try-problem = Pwoblèm
try-problems = Repons sa yo ta refize:
try-no-problems = Pa gen pwoblèm. Yon aparèy ta voye repons sa yo:

## /r/{code}: the public page a person opens with only their receipt code
public-title = Randevou ou
public-receipt = Resi
public-appointment = Randevou
public-when = Ki lè
public-length = Dire
public-minutes = { $minutes } min
public-place = Kote
public-changed = Ekip la chanje randevou sa a; sa a se nouvo a.
public-cancelled = Ekip la anile randevou a; y ap ba ou yon lòt.
public-no-appointment = Poko gen randevou: ekip la ap ba ou youn.
public-review = Dosye ou
public-state-new = Resevwa; poko egzamine.
public-state-reviewed = Òganizasyon an egzamine l.
public-not-found = Pa jwenn.
public-too-many = Twòp rechèch. Tann yon minit epi eseye ankò.
public-date = { $day } { $month } { $year }
public-date-time = { $date } a { $time } (lè lokal kote a)
month-1 = janvye
month-2 = fevriye
month-3 = mas
month-4 = avril
month-5 = me
month-6 = jen
month-7 = jiyè
month-8 = out
month-9 = septanm
month-10 = oktòb
month-11 = novanm
month-12 = desanm

## Appointments: slots by day, a household's appointment
nav-slots = Randevou
slot-place = Kote
slot-starts-at = Kòmanse (ak dekalaj lè a)
slot-minutes = Minit
slot-capacity = Kapasite (moun)
create-slot = Pibliye plas la
no-slots = Pa gen plas depi jodi a.
day-summary = Fanmi: { $households } · Moun: { $people }
col-start = Kòmanse
col-place = Kote
col-length = Dire
col-booked = Moun ki gen randevou
col-households = Fanmi
slot-open = louvri
slot-closed = fèmen
slot-cancelled = anile
close-slot = Fèmen (pa gen nouvo randevou)
cancel-slot = Anile plas la
slot-summary = Fanmi: { $households } · Moun: { $people } sou { $capacity }
bad-slot = Yon plas bezwen yon kote, 1 a 600 minit ak plas pou 1 a 10000 moun.
bad-slot-start = Kòmansman an bezwen dat, lè ak dekalaj, tankou 2026-12-10T09:00-07:00.
appointment = Randevou
no-appointment = Pa gen randevou: ba fanmi an youn.
move-to = Deplase nan
move-household = Deplase tout fanmi an
cancel-appointment = Anile randevou a
slot-no-room = Plas sa a pa gen ase plas pou tout moun nan fanmi sa a; anyen pa chanje.
slot-not-open = Plas sa a fèmen oswa anile; anyen pa chanje.
