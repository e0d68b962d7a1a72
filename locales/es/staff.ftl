# Resguardo — las páginas del personal (las personas de la organización que revisan lo que llegó).
# Español (es). Traducido de locales/en/staff.ftl; términos en GLOSSARY.md.

## Every page

staff-title = { $page } · Resguardo · Personal
staff-brand = Resguardo · Personal
nav-cases = Casos
nav-enrolment = Códigos de inscripción
nav-devices = Dispositivos
nav-audit = Registro de actividad
signed-in-as = { $user } ({ $role })
role-admin = administrador
role-reviewer = revisor
log-out = Cerrar sesión
language = Idioma
change-language = Cambiar

## Signing in

log-in = Iniciar sesión
username = Nombre de usuario
password = Contraseña
login-wrong =
    { $minutes ->
        [one] Usuario o contraseña incorrectos. Al llegar al límite de intentos fallidos ({ $attempts }), la cuenta se bloquea durante 1 minuto.
       *[other] Usuario o contraseña incorrectos. Al llegar al límite de intentos fallidos ({ $attempts }), la cuenta se bloquea durante { $minutes } minutos.
    }
login-too-many = Demasiados intentos. Espere un minuto e intente de nuevo.

## Problems

for-admins = Esta página es para administradores.
form-expired = Este formulario caducó. Vuelva atrás, recargue la página e intente de nuevo.
nothing-here = No hay nada aquí.
bad-dates = Las fechas van en formato AAAA-MM-DD.
bad-receipt = Eso no es un código de recibo (10 letras y números, como 7K3MQ-9XA0Z).
bad-review-state = Estado de revisión desconocido.
bad-days = Los días de validez deben ser un número del 1 al 3650.

## Cases

cases = Casos
receipt-code = Código de recibo
from = Desde
to = Hasta
review-state = Estado
any-state = Cualquiera
state-new = Nuevo
state-reviewed = Revisado
search = Buscar
export-from = Exportar desde
export-to = hasta
download-zip = Descargar ZIP
col-receipt = Recibo
col-received = Recibido (UTC)
col-applicant = Solicitante
col-people = Personas
col-review = Revisión
page-of =
    { $total ->
        [one] Página { $page } de { $pages } · 1 caso
       *[other] Página { $page } de { $pages } · { $total } casos
    }
newer = Más recientes
older = Más antiguos

## One case

case-title = Caso { $code }
case-summary =
    { $people ->
        [one] Recibo { $code } · recibido el { $at } · 1 persona
       *[other] Recibo { $code } · recibido el { $at } · { $people } personas
    }
applicant = Solicitante
family-member = Familiar { $n }
note = Nota
no-photos = No hay fotos.
full-size = tamaño completo
review = Revisión
reviewed-by = Revisado por { $user } el { $at }
mark-reviewed = Marcar como revisado

## Enrolment codes, devices, audit log

label = Etiqueta
label-placeholder = Albergue A, diciembre
days-valid = Días de validez (vacío: sin vencimiento)
shared-tablets = Para tabletas compartidas (cada familia protege su caso con un PIN)
create-code = Crear código
col-code = Código
col-label = Etiqueta
col-state = Estado
col-uses = Usos
col-kind = Tipo
kind-shared = Tableta compartida
kind-personal = Teléfono personal
col-install-link = Enlace de instalación
revoke = Revocar
status-active = activo
status-expired = vencido
status-revoked = revocado
col-device = Dispositivo
col-registered = Registrado
col-enrolment-code = Código de inscripción
col-when = Cuándo (UTC)
col-who = Quién
col-what = Qué
col-case = Caso
col-detail = Detalle

## Formularios

nav-forms = Formularios
col-form = Formulario
col-version = Versión
col-title = Título
form-published = Publicado
form-draft = Borrador
form-built-in = Publicado (incluido)
form-file = Archivo del formulario (JSON, YAML o XLSForm .xlsx)
upload-draft = Subir como borrador
publish-form = Publicar esta versión
forms-note = Un borrador solo se ve aquí. Los dispositivos reciben una versión cuando se publica, y una versión publicada nunca cambia: los casos empezados en ella se aceptan siempre.
form-problems = Esta definición no se puede usar. Corrija estos problemas y vuelva a subir el archivo:
form-unreadable = No se pudo leer el archivo:
form-changed = Esta versión ya está publicada con otro contenido, y las versiones publicadas nunca cambian. Dé al archivo un nuevo número de versión.
form-not-newer = Ya hay publicada una versión más nueva de este formulario. Dé al archivo un número de versión mayor.
form-no-file = Elija un archivo de formulario para subir.
form-languages = Idiomas
required-field = obligatorio
shown-when = se muestra si
try-form = Probar este formulario
try-it = Probarlo
try-note = Llénelo como lo haría una persona y pulse Comprobar: lo juzgan las mismas reglas que a los casos entregados, y no se guarda nada. Las preguntas que solo aparecen según algunas respuestas se muestran después de Comprobar.
try-form-language = Idioma del formulario
try-check = Comprobar
try-add-entry = Añadir:
try-remove-entry = Quitar esta entrada
try-photos-in-app = Las fotos de documentos se toman en la aplicación.
try-yes = Sí
try-no = No
try-problem = Problema
try-problems = Estas respuestas serían rechazadas:
try-no-problems = Sin problemas. Un dispositivo enviaría estas respuestas:

## /r/{code}: the public page a person opens with only their receipt code
public-title = Su cita
public-receipt = Comprobante
public-appointment = Cita
public-when = Cuándo
public-length = Duración
public-minutes = { $minutes } min
public-place = Lugar
public-changed = El personal cambió esta cita; esta es la nueva.
public-cancelled = El personal canceló la cita; le darán otra.
public-no-appointment = Todavía no hay cita: el personal le dará una.
public-review = Tu caso
public-state-new = Recibido; todavía sin revisar.
public-state-reviewed = Revisado por la organización.
public-not-found = No encontrado.
public-too-many = Demasiadas consultas. Espera un minuto e inténtalo de nuevo.
public-date = { $day } de { $month } de { $year }
public-date-time = { $date }, a las { $time } (hora local del lugar)
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Appointments: slots by day, a household's appointment
nav-slots = Citas
slot-place = Lugar
slot-starts-at = Comienza (con su desfase horario)
slot-minutes = Minutos
slot-capacity = Capacidad (personas)
create-slot = Publicar horario
no-slots = No hay horarios desde hoy.
day-summary = Hogares: { $households } · Personas: { $people }
col-start = Comienza
col-place = Lugar
col-length = Duración
col-booked = Personas con cita
col-households = Hogares
slot-open = abierto
slot-closed = cerrado
slot-cancelled = cancelado
close-slot = Cerrar (sin nuevas citas)
cancel-slot = Cancelar horario
slot-summary = Hogares: { $households } · Personas: { $people } de { $capacity }
bad-slot = Un horario necesita un lugar, de 1 a 600 minutos y cupo para 1 a 10000 personas.
bad-slot-start = El comienzo necesita fecha, hora y desfase, como 2026-12-10T09:00-07:00.
appointment = Cita
no-appointment = Sin cita: dele una al hogar.
move-to = Mover a
move-household = Mover a todo el hogar
cancel-appointment = Cancelar la cita
slot-no-room = Ese horario no tiene cupo para todas las personas de este hogar; no cambió nada.
slot-not-open = Ese horario está cerrado o cancelado; no cambió nada.
