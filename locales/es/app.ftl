# Resguardo — la aplicación que la gente usa en sus teléfonos y en tabletas compartidas.
# Español (es): español latinoamericano neutro, trato de «usted».
#
# Traducido de locales/en/app.ftl: los mismos mensajes, en el mismo orden, con las mismas
# variables. Los términos clave están en GLOSSARY.md. Palabras sencillas: hay personas que leen poco.

## The app

app-name = Resguardo
tagline = Todo lo que escribe se guarda en este dispositivo, incluso sin internet.
language-label = Idioma
online = Con conexión
offline = Sin conexión — su trabajo está seguro en este dispositivo
update-ready = Hay una nueva versión de la aplicación lista.
update-now = Actualizar ahora
loading = Cargando…
# Shown in the page itself before the app has loaded, the first time only.
boot-loading = Cargando la aplicación. Esto pasa solo la primera vez; después funciona sin internet.
skip-to-content = Ir al contenido
not-found = No se encontró la página.
part-missing = Esta parte de la aplicación todavía no se ha descargado. Conéctese a internet una vez y vuelva a intentarlo. Lo que escribió está a salvo en este dispositivo.
part-missing-retry = Intentar de nuevo

## My cases

my-cases = Mis casos
new-case = Empezar un formulario nuevo
no-cases = Todavía no hay formularios en este dispositivo.
unnamed = (todavía sin nombre)
people =
    { $n ->
        [one] 1 persona
       *[other] { $n } personas
    }
storage-usage = Este dispositivo guarda { $used } de datos de la aplicación, de unos { $quota } disponibles.
storage-not-reported = Este navegador no indica cuánto espacio usa la aplicación.
case-not-found = Este formulario no está en este dispositivo.

## The form

step-of = Paso { $n } de { $total }
step-about = Sobre usted
step-languages = Idiomas y necesidades
step-family = Familia que viaja con usted
step-documents = Documentos
step-review = Revisar y enviar
next = Siguiente
back = Atrás
send = Enviar
edit-again = Corregir y enviar de nuevo
delete-draft = Borrar este borrador
confirm-delete = ¿Borrar este borrador del dispositivo? Esto no se puede deshacer.
this-form = Este formulario
fix-problems = Algunas respuestas necesitan corrección antes de enviar.
none = Ninguno

## About you

full-name = Nombre completo
date-of-birth = Fecha de nacimiento
date-day = Día
date-month = Mes
date-year = Año
choose-month = Mes
country-of-origin = País de origen
search-countries = Buscar un país
stateless = Sin nacionalidad (apátrida) o no se sabe
phone = Número de teléfono (opcional)

## Languages and needs

languages-spoken = Idiomas que habla
search-languages = Buscar un idioma
most-chosen = Los más elegidos aquí
no-match = No hay resultados para “{ $query }”.
needs-question = ¿Usted o su familia necesitan algo de esto?
needs-note = ¿Hay algo más que debamos saber? (opcional)
need-medical = Atención médica
need-disability = Apoyo por discapacidad
need-pregnancy = Atención por embarazo
need-unaccompanied-child = Un niño o niña que viaja solo
need-shelter = Albergue
need-legal-aid = Ayuda legal
need-interpreter = Un intérprete
need-safety = Protección contra un peligro

## Family

member-n = Familiar { $n }
add-member = Agregar un familiar
remove-member = Quitar
confirm-remove-member =
    { $n ->
        [one] ¿Quitar a { $name } de este formulario? También se borrará la foto de su documento.
       *[other] ¿Quitar a { $name } de este formulario? También se borrarán sus { $n } fotos de documentos.
    }
no-members = No se agregó ningún familiar. Agregue a todas las personas que viajan con usted para que sigan juntas.
relationship = Parentesco con usted
choose-relationship = Elija
rel-spouse = Esposo, esposa o pareja
rel-child = Hijo o hija
rel-parent = Madre o padre
rel-sibling = Hermano o hermana
rel-grandparent = Abuelo o abuela
rel-grandchild = Nieto o nieta
rel-other-relative = Otro familiar
rel-other = Sin parentesco

## Documents

documents-intro = Tome una foto de cada documento (pasaporte o documento de identidad, acta de nacimiento…). Las fotos se quedan en este dispositivo hasta que se envían; se les quitan los datos de ubicación.
you = Usted
photo-kind = Tipo de documento
kind-id-document = Pasaporte o documento de identidad
kind-birth-certificate = Acta de nacimiento
kind-other = Otro documento
take-photo = Tomar una foto
choose-photo = Elegir de la galería
retake = Tomar de nuevo
delete-photo = Borrar
photo-processing = Preparando la foto…
photos-not-ready = Espere a que todas las fotos estén listas y luego envíe.
photo-unreadable = No se pudo leer esta imagen. Por favor, tómela de nuevo o bórrela.
photo-unreadable-send = No se pudo leer una foto. Bórrela o tómela de nuevo y luego envíe.
photo-not-kept = No se pudo guardar esta foto en este dispositivo, así que no se enviaría. Por favor, tómela de nuevo.
photo-not-kept-full = No se pudo guardar esta foto: el dispositivo no tiene espacio. Libere espacio y tómela de nuevo.
review-photo-not-kept = Una foto de documento no se pudo guardar en este dispositivo y no se enviará. Vuelva a Documentos y tómela de nuevo.
# A photo's name for screen readers: "Passport or ID page of Luis, ready".
photo-name = { $kind } de { $person }, foto { $state }
photo-state-ready = lista
photo-state-preparing = en preparación
photo-state-unreadable = ilegible
photo-hard-to-read = Puede que esta foto sea difícil de leer. ¿Tomarla de nuevo?
photo-too-dark = Se ve oscura.
photo-too-blurry = Se ve borrosa.
orphan-photos = Documentos de alguien que ya no está en este formulario
orphan-photos-hint = Borre estas fotos; si no, el formulario no se puede enviar.

## Check and send

review-intro = Revise sus respuestas. Puede volver atrás para cambiar cualquier cosa.
review-documents = Fotos de documentos que se van a enviar
no-documents = No hay fotos de documentos.
server-found-problems = El servidor de la organización no pudo aceptar este formulario. Corrija lo que encontró y envíe de nuevo:
server-problem-send-again = Revise las respuestas y las fotos y luego envíe de nuevo.

## Saving

saving = Guardando…
saved-on-device = Guardado en este dispositivo
save-failed = No se pudo guardar en este dispositivo.
storage-unavailable = Este navegador no puede guardar sus respuestas (¿quizás es una ventana privada?). Abra la aplicación en una ventana normal.
quota-exceeded = Este dispositivo no tiene espacio. Lo que escribió sigue en la pantalla; libere espacio y se guardará.

## Where a form stands

state-draft = Borrador
state-saved = Guardado en este dispositivo
state-sending = Enviando
state-delivered = Entregado
state-attention = Necesita su atención
explain-queued = Se enviará automáticamente en cuanto haya conexión. Puede cerrar la aplicación.
explain-sending = Enviando ahora. Si se corta la conexión, no se pierde nada.
explain-waiting-auth = Sus datos están seguros en este dispositivo. Por favor, vuelva a iniciar sesión para que se puedan enviar.
explain-delivered = La organización recibió su formulario.
photos-progress =
    { $total ->
        [one] { $sent } de 1 foto enviada, { $percent } %
       *[other] { $sent } de { $total } fotos enviadas, { $percent } %
    }
receipt-label = Su código de recibo
receipt-hint = Anote este código o tómele una foto. El personal puede encontrar su formulario con este código.
receipt-what-to-do = Guarde este código hasta que el personal se comunique con usted. Muéstrelo, o su código QR, al personal: así encuentran su formulario. No necesita enviar el formulario otra vez.
receipt-qr-label = Código QR de su código de recibo { $code }
receipt-print-view = Vista para imprimir
receipt-print-title = Recibo para imprimir
receipt-print-name-option = Poner mi nombre en la hoja impresa
receipt-print-name-label = Nombre
receipt-print-now = Imprimir
received-at = Recibido: { $at }
rejected-invalid = El servidor encontró problemas en algunas respuestas. Por favor, corríjalas y envíe de nuevo.
rejected-conflict = Ya se envió otro formulario con este número. Por favor, pida ayuda a alguien del personal.
rejected-outdated = Esta aplicación está desactualizada. Actualícela y su formulario se enviará.
rejected-other = El servidor no pudo aceptar este formulario. Por favor, pida ayuda a alguien del personal.
photo-missing-on-device = Una foto de este formulario ya no está en este dispositivo. Corrija el formulario y envíe de nuevo.
update-app = Actualizar la aplicación

## Signing in again

sign-in-again = Iniciar sesión de nuevo
enrolment-code-label = Código de la organización
enrolment-code-hint = Escriba el código que le dio la organización (está en el cartel o en la tarjeta).
enrolment-code-invalid = Este código no es válido. Revíselo e intente de nuevo.

## What is wrong with an answer

err-required = Por favor, complete este dato.
err-too-long = Esto es demasiado largo.
err-invalid-date = Esta no es una fecha válida.
err-date-in-future = Esta fecha está en el futuro.
err-date-too-old = Esta fecha es demasiado antigua.
err-invalid-phone = Use solo números, espacios, guiones y, si quiere, un + al inicio.
err-invalid-choice = Por favor, elija una de las opciones.
err-duplicate = Esto aparece dos veces.
err-too-many = Hay demasiados familiares en un solo formulario.
err-unsupported-form = Esta versión del formulario ya no se acepta; actualice la aplicación.
err-too-short = Esto es demasiado corto.
err-too-few = Por favor, agregue más entradas.
err-invalid-format = Esto no tiene la forma esperada.
err-invalid-number = Por favor, escriba un número.
err-out-of-range = Este número está fuera de lo permitido.
err-date-too-late = Esta fecha es demasiado tardía.
err-invalid-value = Esta respuesta no se puede usar; por favor, responda de nuevo.
err-unknown-field = Esta respuesta no forma parte del formulario.
err-constraint = Por favor, revise esta respuesta.

## Names of languages a person may speak that browsers often cannot name
## (the others are named by the browser in the reader's language).

lang-qu = quechua
lang-ay = aimara
lang-gn = guaraní
lang-nah = náhuatl
lang-mam = mam
lang-quc = k’iche’
lang-kek = q’eqchi’
lang-ti = tigriña
lang-wo = wólof
lang-ln = lingala
lang-ff = fula
lang-tw = twi

## Forms the organisation defines

answer-yes = Sí
answer-no = No
add-entry = Agregar: { $label }
entry-n = { $label } { $n }
new-form-case = Empezar: { $title }
form-missing = Este formulario aún no está en el dispositivo. Conéctese a internet una vez para que la aplicación lo descargue.
no-entries = Todavía no se agregó ninguno.

## Shared tablets: each family's form locked with its own PIN

shared-tablet = Tableta compartida: el formulario de cada familia se protege con su propio PIN. Nadie más puede abrirlo.
pin-title = Elija un PIN para su formulario
pin-hint = 6 números, o una frase de 8 caracteres o más. Lo necesitará para volver a abrir su formulario en esta tableta.
pin-label = PIN o frase
pin-again = Otra vez lo mismo
pin-start = Empezar mi formulario
pin-cancel = Cancelar
pin-six-digits = Un PIN tiene 6 números.
pin-passphrase-short = Una frase tiene al menos 8 caracteres.
pin-mismatch = Los dos no son iguales.
pin-working = Protegiendo su formulario…
locked-case = Empezado { $when } · protegido
locked-title = Este formulario está protegido
locked-hint = Escriba el PIN o la frase que eligió al empezar el formulario.
unlock = Abrir
unlocking = Abriendo…
wrong-pin = Ese PIN no abre este formulario.
pin-wait =
    { $seconds ->
        [one] Demasiados intentos equivocados. Espere 1 segundo y vuelva a intentarlo. No se ha borrado nada.
       *[other] Demasiados intentos equivocados. Espere { $seconds } segundos y vuelva a intentarlo. No se ha borrado nada.
    }
seal-no-key = Esta tableta todavía no recibió la clave de la organización, así que su formulario no se puede enviar de forma segura. Queda protegido aquí: conecte la tableta a internet una vez y vuelva a enviarlo.
finish-and-lock = Terminar y proteger
locked-for-next = Su formulario está protegido. Solo su PIN lo abre.
tablet-link = Para voluntarios: qué guarda esta tableta
tablet-title = Qué guarda esta tableta
tablet-code-hint = Escriba el código de inscripción de esta tableta para ver qué guarda. No se muestra ningún nombre.
tablet-code-label = Código de inscripción
tablet-show = Mostrar
tablet-wrong-code = Ese no es el código de inscripción de esta tableta.
tablet-no-code = Esta tableta se inscribió sin código, así que esta pantalla no se puede abrir aquí.
tablet-locked-drafts = Formularios protegidos sin enviar: { $n }
tablet-waiting = Formularios esperando para enviarse: { $n }
tablet-need-attention = Formularios que necesitan a su familia: { $n }
tablet-delivered = Formularios entregados: { $n }
tablet-last-delivery = Última entrega: { $when }
tablet-no-delivery = Todavía no se entregó nada desde esta tableta.

# Forgotten PIN: a staff member opens the form, the family chooses a new PIN.
forgot-pin = ¿Olvidó el PIN?
forgot-pin-how = Un miembro del personal puede abrir este formulario por usted. Inicia sesión en esta tableta (el enlace se abre en otra pestaña), vuelve aquí y pulsa «Abrir con la sesión del personal». Después usted elige un PIN nuevo. No se pierde nada de lo que escribió.
staff-sign-in-link = Acceso del personal
staff-open = Abrir con la sesión del personal
staff-opening = Abriendo…
recover-sign-in-first = Primero un miembro del personal debe iniciar sesión en esta tableta.
recover-offline = Esto necesita conexión con la organización. Inténtelo de nuevo cuando la tableta esté en línea.
recover-not-possible = Este formulario solo se abre con su PIN: se empezó antes de que esta tableta recibiera la clave de la organización.
recover-failed = No se pudo abrir el formulario de esta manera. Pida al miembro del personal que lo intente otra vez.
new-pin-title = Elija un PIN nuevo
new-pin-hint = El formulario está abierto. Elija un PIN nuevo (6 dígitos) o una frase (al menos 8 caracteres): desde ahora solo eso abre este formulario.
new-pin-save = Guardar el PIN nuevo
tablet-or-staff = O un miembro del personal inicia sesión en esta tableta (el enlace se abre en otra pestaña), vuelve aquí y pulsa «Abrir con la sesión del personal».
start-with-pin = Proteger mi formulario con un PIN
start-with-pin-hint = Para un teléfono que usan otras personas: el formulario se guarda cifrado, solo se abre con su PIN y se bloquea cuando sale de la aplicación.

## The household's appointment on the receipt
appointment-title = Su cita
appointment-length = { $minutes } minutos
appointment-everyone = La cita es para todas las personas de este formulario: vengan juntas.
appointment-none = Todavía no hay cita: el personal le dará una.

## Choosing an appointment on the last step (the list is kept on the device)
appointment-choose-title = Elija su cita
appointment-choose-hint = Puede elegir hasta 3 horarios que le convengan, en orden. Cuando llegue su formulario, todas las personas en él reciben el primero que todavía tenga lugar para todas; si ninguno lo tiene, el horario libre más próximo. También puede no elegir ninguno.
appointment-slots-as-of = Horarios libres (lista actualizada: { $when }). Algunos pueden haberse llenado desde entonces.
appointment-no-slots-yet = Este dispositivo todavía no tiene los horarios de cita (los recibe cuando tiene conexión). Puede enviar su formulario igual: recibirá una cita cuando llegue.
appointment-no-slots = Ahora no hay horarios libres. Puede enviar su formulario igual: el personal le dará una cita.
appointment-places-free =
    { $n ->
        [one] 1 lugar libre
       *[other] { $n } lugares libres
    }
appointment-too-small =
    { $n ->
        [one] Solo queda 1 lugar: no alcanza para todas las personas de su formulario
       *[other] Solo quedan { $n } lugares: no alcanzan para todas las personas de su formulario
    }
appointment-choice = Opción { $n }
appointment-max-chosen = Ya eligió 3 horarios. Para elegir otro, primero desmarque uno.

## The appointment after sending, as it stands now
appointment-changed = El personal cambió su cita ({ $when }).
appointment-cancelled = El personal canceló su cita ({ $when }). Le dará otra.
appointment-before = Antes: { $when }
appointment-staff-note = Nota del personal:
receipt-lookup = Vea su cita en cualquier momento, desde cualquier teléfono o computadora, en esta dirección:
appointment-add-to-calendar = Agregar al calendario
appointment-calendar-title = Cita (recibo { $code })
appointment-calendar-description = Para todas las personas de su formulario: vengan juntas y traigan el código de recibo { $code }.
appointment-on-list = Cita: { $when }
appointment-changed-badge = Cambiada por el personal
appointment-cancelled-badge = Cita cancelada por el personal
