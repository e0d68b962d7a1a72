# Resguardo — les pages de l’équipe (les personnes de l’organisation qui examinent ce qui est arrivé).
# Français (fr). Traduit de locales/en/staff.ftl ; termes clés : GLOSSARY.md.

## Every page

staff-title = { $page } · Resguardo – espace équipe
staff-brand = Resguardo – espace équipe
nav-cases = Dossiers
nav-enrolment = Codes d’inscription
nav-devices = Appareils
nav-audit = Journal d’activité
signed-in-as = { $user } ({ $role })
role-admin = administrateur
role-reviewer = examinateur
log-out = Se déconnecter
language = Langue
change-language = Changer

## Signing in

log-in = Se connecter
username = Nom d’utilisateur
password = Mot de passe
login-wrong =
    { $minutes ->
        [one] Nom d’utilisateur ou mot de passe incorrect. Une fois atteint le nombre maximal d’échecs ({ $attempts }), le compte est bloqué pendant { $minutes } minute.
       *[other] Nom d’utilisateur ou mot de passe incorrect. Une fois atteint le nombre maximal d’échecs ({ $attempts }), le compte est bloqué pendant { $minutes } minutes.
    }
login-too-many = Trop de tentatives. Attendez une minute et réessayez.

## Problems

for-admins = Cette page est réservée aux administrateurs.
form-expired = Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.
nothing-here = Rien ici.
bad-dates = Les dates s’écrivent AAAA-MM-JJ.
bad-receipt = Ce n’est pas un code de reçu (10 lettres et chiffres, comme 7K3MQ-9XA0Z).
bad-review-state = État d’examen inconnu.
bad-days = La durée de validité est un nombre de jours entre 1 et 3650.

## Cases

cases = Dossiers
receipt-code = Code de reçu
from = Du
to = Au
review-state = État
any-state = Tous
state-new = Nouveau
state-reviewed = Examiné
search = Rechercher
export-from = Exporter du
export-to = au
download-zip = Télécharger le ZIP
col-receipt = Reçu
col-received = Arrivé le (UTC)
col-applicant = Demandeur
col-people = Personnes
col-review = Examen
page-of =
    { $total ->
        [one] Page { $page } sur { $pages } · { $total } dossier
       *[other] Page { $page } sur { $pages } · { $total } dossiers
    }
newer = Plus récents
older = Plus anciens

## One case

case-title = Dossier { $code }
case-summary =
    { $people ->
        [one] Reçu { $code } · arrivé le { $at } · { $people } personne
       *[other] Reçu { $code } · arrivé le { $at } · { $people } personnes
    }
applicant = Demandeur
family-member = Membre de la famille { $n }
note = Note
no-photos = Aucune photo.
full-size = taille réelle
review = Examen
reviewed-by = Examiné par { $user } le { $at }
mark-reviewed = Marquer comme examiné

## Enrolment codes, devices, audit log

label = Libellé
label-placeholder = Centre A, décembre
days-valid = Jours de validité (vide : sans fin)
shared-tablets = Pour tablettes partagées (chaque famille verrouille son dossier par un code PIN)
create-code = Créer un code
col-code = Code
col-label = Libellé
col-state = État
col-uses = Utilisations
col-kind = Type
kind-shared = Tablette partagée
kind-personal = Téléphone personnel
col-install-link = Lien d’installation
revoke = Révoquer
status-active = actif
status-expired = expiré
status-revoked = révoqué
col-device = Appareil
col-registered = Enregistré le
col-enrolment-code = Code d’inscription
col-when = Quand (UTC)
col-who = Qui
col-what = Quoi
col-case = Dossier
col-detail = Détail

## Formulaires

nav-forms = Formulaires
col-form = Formulaire
col-version = Version
col-title = Titre
form-published = Publié
form-draft = Brouillon
form-built-in = Publié (intégré)
form-file = Fichier du formulaire (JSON, YAML ou XLSForm .xlsx)
upload-draft = Envoyer comme brouillon
publish-form = Publier cette version
forms-note = Un brouillon n’est visible qu’ici. Les appareils reçoivent une version une fois publiée, et une version publiée ne change jamais : les dossiers commencés dessus sont acceptés pour toujours.
form-problems = Cette définition ne peut pas être utilisée. Corrigez ces problèmes et envoyez le fichier à nouveau :
form-unreadable = Le fichier n’a pas pu être lu :
form-changed = Cette version est déjà publiée avec un autre contenu, et une version publiée ne change jamais. Donnez au fichier un nouveau numéro de version.
form-not-newer = Une version plus récente de ce formulaire est déjà publiée. Donnez au fichier un numéro de version plus élevé.
form-no-file = Choisissez un fichier de formulaire à envoyer.
form-languages = Langues
required-field = obligatoire
shown-when = affiché si
try-form = Essayer ce formulaire
try-it = L’essayer
try-note = Remplissez-le comme le ferait une personne et appuyez sur Vérifier : les mêmes règles que pour les dossiers reçus le jugent, et rien n’est enregistré. Les questions qui ne s’affichent que selon certaines réponses apparaissent après Vérifier.
try-form-language = Langue du formulaire
try-check = Vérifier
try-add-entry = Ajouter :
try-remove-entry = Retirer cette entrée
try-photos-in-app = Les photos des documents se prennent dans l’application.
try-yes = Oui
try-no = Non
try-problem = Problème
try-problems = Ces réponses seraient refusées :
try-no-problems = Aucun problème. Un appareil enverrait ces réponses :

## /r/{code}: the public page a person opens with only their receipt code
public-title = Votre rendez-vous
public-receipt = Reçu
public-appointment = Rendez-vous
public-when = Quand
public-length = Durée
public-minutes = { $minutes } min
public-place = Lieu
public-changed = L’équipe a changé ce rendez-vous ; voici le nouveau.
public-cancelled = L’équipe a annulé le rendez-vous ; elle vous en donnera un autre.
public-no-appointment = Pas encore de rendez-vous : l’équipe vous en donnera un.
public-review = Votre dossier
public-state-new = Reçu ; pas encore examiné.
public-state-reviewed = Examiné par l’organisation.
public-not-found = Introuvable.
public-too-many = Trop de recherches. Attendez une minute et réessayez.
public-date = { $day } { $month } { $year }
public-date-time = { $date } à { $time } (heure locale du lieu)
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Appointments: slots by day, a household's appointment
nav-slots = Rendez-vous
slot-place = Lieu
slot-starts-at = Début (avec son décalage horaire)
slot-minutes = Minutes
slot-capacity = Capacité (personnes)
create-slot = Publier le créneau
no-slots = Aucun créneau à partir d’aujourd’hui.
day-summary = Foyers : { $households } · Personnes : { $people }
col-start = Début
col-place = Lieu
col-length = Durée
col-booked = Personnes inscrites
col-households = Foyers
slot-open = ouvert
slot-closed = fermé
slot-cancelled = annulé
close-slot = Fermer (plus d’inscriptions)
cancel-slot = Annuler le créneau
slot-summary = Foyers : { $households } · Personnes : { $people } sur { $capacity }
bad-slot = Un créneau a besoin d’un lieu, de 1 à 600 minutes et de places pour 1 à 10000 personnes.
bad-slot-start = Le début a besoin de la date, de l’heure et du décalage, comme 2026-12-10T09:00-07:00.
appointment = Rendez-vous
no-appointment = Pas de rendez-vous : donnez-en un au foyer.
move-to = Déplacer vers
move-household = Déplacer tout le foyer
cancel-appointment = Annuler le rendez-vous
slot-no-room = Ce créneau n’a pas de place pour toutes les personnes de ce foyer ; rien n’a changé.
slot-not-open = Ce créneau est fermé ou annulé ; rien n’a changé.
