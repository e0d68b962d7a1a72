# Resguardo — l’application que les gens utilisent sur leur téléphone et sur des tablettes partagées.
# Français (fr) : « vous », mots simples (certaines personnes lisent peu).
#
# Traduit de locales/en/app.ftl : mêmes messages, même ordre, mêmes variables. Termes clés : GLOSSARY.md.
# Espaces insécables : U+00A0 avant « : » et dans les guillemets, U+202F (fine) avant ? ! ; et %.

## The app

app-name = Resguardo
tagline = Tout ce que vous écrivez est enregistré sur cet appareil, même sans internet.
language-label = Langue
online = En ligne
offline = Hors ligne — votre travail est en sécurité sur cet appareil
update-ready = Une nouvelle version de l’application est prête.
update-now = Mettre à jour
loading = Chargement…
# Shown in the page itself before the app has loaded, the first time only.
boot-loading = Chargement de l’application. Cela n’arrive qu’une fois ; ensuite, elle marche sans internet.
skip-to-content = Aller au contenu
not-found = Page introuvable.
part-missing = Cette partie de l’application n’a pas encore été téléchargée. Connectez-vous une fois à internet, puis réessayez. Ce que vous avez écrit est en sécurité sur cet appareil.
part-missing-retry = Réessayer

## My cases

my-cases = Mes dossiers
new-case = Remplir un nouveau formulaire
no-cases = Pas encore de formulaire sur cet appareil.
unnamed = (pas encore de nom)
people =
    { $n ->
        [one] { $n } personne
       *[other] { $n } personnes
    }
storage-usage = Cet appareil contient { $used } de données de l’application, sur environ { $quota } disponibles.
storage-not-reported = Ce navigateur n’indique pas combien de place l’application utilise.
case-not-found = Ce formulaire n’est pas sur cet appareil.

## The form

step-of = Étape { $n } sur { $total }
step-about = À propos de vous
step-languages = Langues et besoins
step-family = Famille qui voyage avec vous
step-documents = Documents
step-review = Vérifier et envoyer
next = Suivant
back = Retour
send = Envoyer
edit-again = Corriger et renvoyer
delete-draft = Supprimer ce brouillon
confirm-delete = Supprimer ce brouillon de l’appareil ? Il ne pourra pas être récupéré.
this-form = Ce formulaire
fix-problems = Certaines réponses sont à revoir avant l’envoi.
none = Aucun

## About you

full-name = Nom complet
date-of-birth = Date de naissance
date-day = Jour
date-month = Mois
date-year = Année
choose-month = Mois
country-of-origin = Pays d’origine
search-countries = Chercher un pays
stateless = Sans nationalité (apatride) ou inconnu
phone = Numéro de téléphone (facultatif)

## Languages and needs

languages-spoken = Langues que vous parlez
search-languages = Chercher une langue
most-chosen = Les plus choisies ici
no-match = Aucun résultat pour « { $query } ».
needs-question = Avez-vous besoin de l’une de ces aides, pour vous ou votre famille ?
needs-note = Autre chose que nous devrions savoir ? (facultatif)
need-medical = Soins médicaux
need-disability = Aide liée à un handicap
need-pregnancy = Suivi de grossesse
need-unaccompanied-child = Un enfant qui voyage seul
need-shelter = Hébergement
need-legal-aid = Aide juridique
need-interpreter = Un interprète
need-safety = Protection contre un danger

## Family

member-n = Membre de la famille { $n }
add-member = Ajouter un membre de la famille
remove-member = Retirer
confirm-remove-member =
    { $n ->
        [one] Retirer { $name } de ce formulaire ? { $n } photo de document sera aussi supprimée.
       *[other] Retirer { $name } de ce formulaire ? Ses { $n } photos de documents seront aussi supprimées.
    }
no-members = Aucun membre de la famille ajouté. Ajoutez toutes les personnes qui voyagent avec vous, pour rester ensemble.
relationship = Lien avec vous
choose-relationship = Choisir
rel-spouse = Mari, femme ou partenaire
rel-child = Fils ou fille
rel-parent = Mère ou père
rel-sibling = Frère ou sœur
rel-grandparent = Grand-père ou grand-mère
rel-grandchild = Petit-fils ou petite-fille
rel-other-relative = Autre membre de la famille
rel-other = Pas de lien de famille

## Documents

documents-intro = Prenez en photo chaque document (passeport ou pièce d’identité, acte de naissance…). Les photos restent sur cet appareil jusqu’à leur envoi ; leurs données de localisation sont effacées.
you = Vous
photo-kind = Type de document
kind-id-document = Passeport ou pièce d’identité
kind-birth-certificate = Acte de naissance
kind-other = Autre document
take-photo = Prendre une photo
choose-photo = Choisir dans la galerie
retake = Reprendre
delete-photo = Supprimer
photo-processing = Préparation de la photo…
photos-not-ready = Attendez que toutes les photos soient prêtes, puis envoyez.
photo-unreadable = Cette image n’a pas pu être lue. Reprenez-la ou supprimez-la, s’il vous plaît.
photo-unreadable-send = Une photo n’a pas pu être lue. Supprimez-la ou reprenez-la, puis envoyez.
photo-not-kept = Cette photo n’a pas pu être gardée sur cet appareil : elle ne serait pas envoyée. Reprenez-la, s’il vous plaît.
photo-not-kept-full = Cette photo n’a pas pu être gardée : l’appareil n’a plus de place. Libérez de la place, puis reprenez-la.
review-photo-not-kept = Une photo de document n’a pas pu être gardée sur cet appareil et ne sera pas envoyée. Revenez aux Documents et reprenez-la.
# A photo's name for screen readers: "Passport or ID page of Luis, ready".
photo-name = { $kind }, { $person }, photo { $state }
photo-state-ready = prête
photo-state-preparing = en préparation
photo-state-unreadable = illisible
photo-hard-to-read = Cette photo risque d’être difficile à lire. La reprendre ?
photo-too-dark = Elle semble sombre.
photo-too-blurry = Elle semble floue.
orphan-photos = Documents d’une personne qui n’est plus dans ce formulaire
orphan-photos-hint = Supprimez ces photos, sinon le formulaire ne pourra pas être envoyé.

## Check and send

review-intro = Vérifiez vos réponses. Vous pouvez revenir en arrière pour changer ce que vous voulez.
review-documents = Photos de documents qui seront envoyées
no-documents = Aucune photo de document.
server-found-problems = Le serveur de l’organisation n’a pas pu accepter ce formulaire. Corrigez ce qu’il a trouvé, puis renvoyez :
server-problem-send-again = Vérifiez les réponses et les photos, puis renvoyez.

## Saving

saving = Enregistrement…
saved-on-device = Enregistré sur cet appareil
save-failed = Impossible d’enregistrer sur cet appareil.
storage-unavailable = Ce navigateur ne peut pas garder vos réponses (une fenêtre privée, peut-être ?). Ouvrez l’application dans une fenêtre normale.
quota-exceeded = Cet appareil n’a plus de place. Ce que vous avez écrit est toujours à l’écran ; libérez de la place et ce sera enregistré.

## Where a form stands

state-draft = Brouillon
state-saved = Enregistré sur cet appareil
state-sending = Envoi en cours
state-delivered = Arrivé
state-attention = Demande votre attention
explain-queued = Il partira tout seul dès qu’il y aura une connexion. Vous pouvez fermer l’application.
explain-sending = Envoi en cours. Si la connexion est coupée, rien n’est perdu.
explain-waiting-auth = Vos données sont en sécurité sur cet appareil. Identifiez-vous à nouveau pour qu’elles puissent être envoyées.
explain-delivered = L’organisation a bien reçu votre formulaire.
photos-progress =
    { $total ->
        [one] Photo envoyée : { $sent } sur { $total }, { $percent } %
       *[other] Photos envoyées : { $sent } sur { $total }, { $percent } %
    }
receipt-label = Votre code de reçu
receipt-hint = Notez ce code ou prenez-le en photo. Avec ce code, l’équipe peut retrouver votre formulaire.
receipt-what-to-do = Gardez ce code jusqu’à ce que l’équipe vous contacte. Montrez-le, ou son code QR, à l’équipe : c’est ainsi qu’elle retrouve votre formulaire. Vous n’avez pas besoin d’envoyer le formulaire à nouveau.
receipt-qr-label = Code QR de votre code de reçu { $code }
receipt-print-view = Version à imprimer
receipt-print-title = Reçu à imprimer
receipt-print-name-option = Mettre mon nom sur la feuille imprimée
receipt-print-name-label = Nom
receipt-print-now = Imprimer
received-at = Date de réception : { $at }
rejected-invalid = Le serveur a trouvé des problèmes dans certaines réponses. Corrigez-les et renvoyez le formulaire, s’il vous plaît.
rejected-conflict = Un autre formulaire a déjà été envoyé avec ce numéro. Demandez de l’aide à un membre de l’équipe, s’il vous plaît.
rejected-outdated = Cette application n’est plus à jour. Mettez-la à jour, et votre formulaire sera envoyé.
rejected-other = Le serveur n’a pas pu accepter ce formulaire. Demandez de l’aide à un membre de l’équipe, s’il vous plaît.
photo-missing-on-device = Une photo de ce formulaire n’est plus sur cet appareil. Corrigez le formulaire et renvoyez-le.
update-app = Mettre à jour l’application

## Signing in again

sign-in-again = S’identifier à nouveau
enrolment-code-label = Code de l’organisation
enrolment-code-hint = Tapez le code que l’organisation vous a donné (sur l’affiche ou la carte).
enrolment-code-invalid = Ce code n’est pas valide. Vérifiez-le et réessayez.

## What is wrong with an answer

err-required = Veuillez remplir ce champ.
err-too-long = C’est trop long.
err-invalid-date = Cette date n’est pas valide.
err-date-in-future = Cette date est dans le futur.
err-date-too-old = Cette date est trop ancienne.
err-invalid-phone = Utilisez seulement des chiffres, des espaces, des tirets et, si besoin, un + au début.
err-invalid-choice = Veuillez choisir une des réponses proposées.
err-duplicate = Ceci apparaît deux fois.
err-too-many = Trop de membres de la famille dans un seul formulaire.
err-unsupported-form = Cette version du formulaire n’est plus acceptée ; mettez l’application à jour.
err-too-short = C’est trop court.
err-too-few = Veuillez ajouter d’autres entrées.
err-invalid-format = Ce n’est pas sous la forme attendue.
err-invalid-number = Veuillez écrire un nombre.
err-out-of-range = Ce nombre est en dehors de ce qui est permis.
err-date-too-late = Cette date est trop tardive.
err-invalid-value = Cette réponse ne peut pas être utilisée ; veuillez répondre à nouveau.
err-unknown-field = Cette réponse ne fait pas partie du formulaire.
err-constraint = Veuillez vérifier cette réponse.

## Names of languages a person may speak that browsers often cannot name
## (the others are named by the browser in the reader's language).

lang-qu = quechua
lang-ay = aymara
lang-gn = guarani
lang-nah = nahuatl
lang-mam = mam
lang-quc = k’iche’
lang-kek = q’eqchi’
lang-ti = tigrigna
lang-wo = wolof
lang-ln = lingala
lang-ff = peul
lang-tw = twi

## Forms the organisation defines

answer-yes = Oui
answer-no = Non
add-entry = Ajouter : { $label }
entry-n = { $label } { $n }
new-form-case = Commencer : { $title }
form-missing = Ce formulaire n’est pas encore sur cet appareil. Connectez-vous une fois à internet pour que l’application le télécharge.
no-entries = Aucun ajouté pour l’instant.

## Shared tablets: each family's form locked with its own PIN

shared-tablet = Tablette partagée : le formulaire de chaque famille est verrouillé par son propre code PIN. Personne d’autre ne peut l’ouvrir.
pin-title = Choisissez un code PIN pour votre formulaire
pin-hint = 6 chiffres, ou une phrase de 8 caractères ou plus. Il vous faudra pour rouvrir votre formulaire sur cette tablette.
pin-label = Code PIN ou phrase
pin-again = La même chose encore une fois
pin-start = Commencer mon formulaire
pin-cancel = Annuler
pin-six-digits = Un code PIN a 6 chiffres.
pin-passphrase-short = Une phrase a au moins 8 caractères.
pin-mismatch = Les deux ne sont pas identiques.
pin-working = Verrouillage de votre formulaire…
locked-case = Commencé { $when } · verrouillé
locked-title = Ce formulaire est verrouillé
locked-hint = Tapez le code PIN ou la phrase choisis au début du formulaire.
unlock = Ouvrir
unlocking = Ouverture…
wrong-pin = Ce code PIN n’ouvre pas ce formulaire.
pin-wait =
    { $seconds ->
        [one] Trop d’essais erronés. Attendez 1 seconde, puis réessayez. Rien n’a été effacé.
       *[other] Trop d’essais erronés. Attendez { $seconds } secondes, puis réessayez. Rien n’a été effacé.
    }
seal-no-key = Cette tablette n’a pas encore reçu la clé de l’organisation : votre formulaire ne peut pas être envoyé en sécurité. Il reste verrouillé ici ; connectez la tablette à internet une fois, puis envoyez-le à nouveau.
finish-and-lock = Terminer et verrouiller
locked-for-next = Votre formulaire est verrouillé. Seul votre code PIN l’ouvre.
tablet-link = Pour les bénévoles : ce que contient cette tablette
tablet-title = Ce que contient cette tablette
tablet-code-hint = Tapez le code d’inscription de cette tablette pour voir ce qu’elle contient. Aucun nom n’est affiché.
tablet-code-label = Code d’inscription
tablet-show = Afficher
tablet-wrong-code = Ce n’est pas le code d’inscription de cette tablette.
tablet-no-code = Cette tablette a été inscrite sans code : cet écran ne peut pas être ouvert ici.
tablet-locked-drafts = Formulaires verrouillés pas encore envoyés : { $n }
tablet-waiting = Formulaires en attente d’envoi : { $n }
tablet-need-attention = Formulaires qui ont besoin de leur famille : { $n }
tablet-delivered = Formulaires remis : { $n }
tablet-last-delivery = Dernière remise : { $when }
tablet-no-delivery = Rien n’a encore été remis depuis cette tablette.

# Forgotten PIN: a staff member opens the form, the family chooses a new PIN.
forgot-pin = Code PIN oublié ?
forgot-pin-how = Un membre de l’équipe peut ouvrir ce formulaire pour vous. Il se connecte sur cette tablette (le lien s’ouvre dans un nouvel onglet), revient ici et appuie sur « Ouvrir avec la connexion de l’équipe ». Ensuite, vous choisissez un nouveau code PIN. Rien de ce que vous avez écrit n’est perdu.
staff-sign-in-link = Connexion de l’équipe
staff-open = Ouvrir avec la connexion de l’équipe
staff-opening = Ouverture…
recover-sign-in-first = Un membre de l’équipe doit d’abord se connecter sur cette tablette.
recover-offline = Il faut une connexion avec l’organisation. Réessayez quand la tablette est en ligne.
recover-not-possible = Ce formulaire ne s’ouvre qu’avec son code PIN : il a été commencé avant que cette tablette reçoive la clé de l’organisation.
recover-failed = Le formulaire n’a pas pu être ouvert ainsi. Demandez au membre de l’équipe de réessayer.
new-pin-title = Choisissez un nouveau code PIN
new-pin-hint = Le formulaire est ouvert. Choisissez un nouveau code PIN (6 chiffres) ou une phrase secrète (au moins 8 caractères) : désormais, seul celui-ci ouvre ce formulaire.
new-pin-save = Enregistrer le nouveau code PIN
tablet-or-staff = Ou un membre de l’équipe se connecte sur cette tablette (le lien s’ouvre dans un nouvel onglet), revient ici et appuie sur « Ouvrir avec la connexion de l’équipe ».
start-with-pin = Protéger mon formulaire par un code PIN
start-with-pin-hint = Pour un téléphone que d’autres personnes utilisent : le formulaire est gardé chiffré, ne s’ouvre qu’avec votre code PIN et se verrouille quand vous quittez l’application.

## The household's appointment on the receipt
appointment-title = Votre rendez-vous
appointment-length = { $minutes } minutes
appointment-everyone = Le rendez-vous est pour toutes les personnes de ce formulaire : venez ensemble.
appointment-none = Pas encore de rendez-vous : l’équipe vous en donnera un.

## Choosing an appointment on the last step (the list is kept on the device)
appointment-choose-title = Choisissez votre rendez-vous
appointment-choose-hint = Vous pouvez choisir jusqu’à 3 horaires qui vous conviennent, dans l’ordre. Quand votre formulaire arrive, toutes les personnes qu’il contient reçoivent le premier qui a encore de la place pour vous tous ; sinon, le premier horaire libre. Vous pouvez aussi n’en choisir aucun.
appointment-slots-as-of = Horaires libres (liste mise à jour : { $when }). Certains ont pu se remplir depuis.
appointment-no-slots-yet = Cet appareil n’a pas encore les horaires de rendez-vous (il les reçoit quand il est en ligne). Vous pouvez quand même envoyer votre formulaire : vous aurez un rendez-vous à son arrivée.
appointment-no-slots = Il n’y a pas d’horaire libre pour le moment. Vous pouvez quand même envoyer votre formulaire : l’équipe vous donnera un rendez-vous.
appointment-places-free =
    { $n ->
        [one] 1 place libre
       *[other] { $n } places libres
    }
appointment-too-small =
    { $n ->
        [one] Plus que 1 place : pas assez pour toutes les personnes de votre formulaire
       *[other] Plus que { $n } places : pas assez pour toutes les personnes de votre formulaire
    }
appointment-choice = Choix { $n }
appointment-max-chosen = Vous avez choisi 3 horaires. Pour en choisir un autre, décochez-en d’abord un.

## The appointment after sending, as it stands now
appointment-changed = L’équipe a changé votre rendez-vous ({ $when }).
appointment-cancelled = L’équipe a annulé votre rendez-vous ({ $when }). Elle vous en donnera un autre.
appointment-before = Avant : { $when }
appointment-staff-note = Note de l’équipe :
receipt-lookup = Consultez votre rendez-vous à tout moment, depuis n’importe quel téléphone ou ordinateur, à cette adresse :
appointment-add-to-calendar = Ajouter au calendrier
appointment-calendar-title = Rendez-vous (reçu { $code })
appointment-calendar-description = Pour toutes les personnes de votre formulaire : venez ensemble et apportez votre code de reçu { $code }.
appointment-on-list = Rendez-vous : { $when }
appointment-changed-badge = Changé par l’équipe
appointment-cancelled-badge = Rendez-vous annulé par l’équipe
