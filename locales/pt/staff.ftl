# Resguardo — as páginas da equipe (as pessoas da organização que revisam o que chegou).
# Português (pt), uso brasileiro. Traduzido de locales/en/staff.ftl; termos principais: GLOSSARY.md.

## Every page

staff-title = { $page } · Resguardo – área da equipe
staff-brand = Resguardo – área da equipe
nav-cases = Casos
nav-enrolment = Códigos de cadastro
nav-devices = Aparelhos
nav-audit = Registro de atividades
signed-in-as = { $user } ({ $role })
role-admin = administrador
role-reviewer = revisor
log-out = Sair
language = Idioma
change-language = Mudar

## Signing in

log-in = Entrar
username = Nome de usuário
password = Senha
login-wrong =
    { $minutes ->
        [one] Usuário ou senha incorretos. Ao atingir o limite de tentativas sem sucesso ({ $attempts }), a conta fica bloqueada por { $minutes } minuto.
       *[other] Usuário ou senha incorretos. Ao atingir o limite de tentativas sem sucesso ({ $attempts }), a conta fica bloqueada por { $minutes } minutos.
    }
login-too-many = Tentativas demais. Espere um minuto e tente de novo.

## Problems

for-admins = Esta página é só para administradores.
form-expired = Este formulário expirou. Volte, recarregue a página e tente de novo.
nothing-here = Nada aqui.
bad-dates = As datas devem estar no formato AAAA-MM-DD.
bad-receipt = Isso não é um código de comprovante (10 letras e números, como 7K3MQ-9XA0Z).
bad-review-state = Situação de revisão desconhecida.
bad-days = Os dias de validade devem ser um número de 1 a 3650.

## Cases

cases = Casos
receipt-code = Código do comprovante
from = De
to = Até
review-state = Situação
any-state = Qualquer
state-new = Novo
state-reviewed = Revisado
search = Buscar
export-from = Exportar de
export-to = até
download-zip = Baixar ZIP
col-receipt = Comprovante
col-received = Recebido em (UTC)
col-applicant = Solicitante
col-people = Pessoas
col-review = Revisão
page-of =
    { $total ->
        [one] Página { $page } de { $pages } · casos encontrados: { $total }
       *[other] Página { $page } de { $pages } · { $total } casos
    }
newer = Mais recentes
older = Mais antigos

## One case

case-title = Caso { $code }
case-summary =
    { $people ->
        [one] Comprovante { $code } · recebido em { $at } · { $people } pessoa
       *[other] Comprovante { $code } · recebido em { $at } · { $people } pessoas
    }
applicant = Solicitante
family-member = Familiar { $n }
note = Observação
no-photos = Nenhuma foto.
full-size = tamanho original
review = Revisão
reviewed-by = Revisado por { $user } em { $at }
mark-reviewed = Marcar como revisado

## Enrolment codes, devices, audit log

label = Descrição
label-placeholder = Abrigo A, dezembro
days-valid = Dias de validade (em branco: sem prazo)
shared-tablets = Para tablets compartilhados (cada família protege seu caso com um PIN)
create-code = Criar código
col-code = Código
col-label = Descrição
col-state = Situação
col-uses = Usos
col-kind = Tipo
kind-shared = Tablet compartilhado
kind-personal = Telefone pessoal
col-install-link = Link de instalação
revoke = Revogar
status-active = ativo
status-expired = expirado
status-revoked = revogado
col-device = Aparelho
col-registered = Cadastrado em
col-enrolment-code = Código de cadastro
col-when = Quando (UTC)
col-who = Quem
col-what = O quê
col-case = Caso
col-detail = Detalhe

## Formulários

nav-forms = Formulários
col-form = Formulário
col-version = Versão
col-title = Título
form-published = Publicado
form-draft = Rascunho
form-built-in = Publicado (incluído)
form-file = Arquivo do formulário (JSON, YAML ou XLSForm .xlsx)
upload-draft = Enviar como rascunho
publish-form = Publicar esta versão
forms-note = Um rascunho só aparece aqui. Os aparelhos recebem uma versão quando ela é publicada, e uma versão publicada nunca muda: os casos começados nela são sempre aceitos.
form-problems = Esta definição não pode ser usada. Corrija estes problemas e envie o arquivo de novo:
form-unreadable = Não foi possível ler o arquivo:
form-changed = Esta versão já está publicada com outro conteúdo, e versões publicadas nunca mudam. Dê ao arquivo um novo número de versão.
form-not-newer = Uma versão mais nova deste formulário já está publicada. Dê ao arquivo um número de versão maior.
form-no-file = Escolha um arquivo de formulário para enviar.
form-languages = Idiomas
required-field = obrigatório
shown-when = aparece se
try-form = Testar este formulário
try-it = Testar
try-note = Preencha-o como uma pessoa faria e toque em Verificar: as mesmas regras dos casos entregues o julgam, e nada é guardado. As perguntas que só aparecem para algumas respostas surgem depois de Verificar.
try-form-language = Idioma do formulário
try-check = Verificar
try-add-entry = Adicionar:
try-remove-entry = Remover esta entrada
try-photos-in-app = As fotos de documentos são tiradas no aplicativo.
try-yes = Sim
try-no = Não
try-problem = Problema
try-problems = Estas respostas seriam recusadas:
try-no-problems = Nenhum problema. Um dispositivo enviaria estas respostas:

## /r/{code}: the public page a person opens with only their receipt code
public-title = Seu agendamento
public-receipt = Comprovante
public-appointment = Agendamento
public-when = Quando
public-length = Duração
public-minutes = { $minutes } min
public-place = Local
public-changed = A equipe mudou este agendamento; este é o novo.
public-cancelled = A equipe cancelou o agendamento; vão dar outro a você.
public-no-appointment = Ainda sem agendamento: a equipe vai dar um a você.
public-review = Seu caso
public-state-new = Recebido; ainda não revisado.
public-state-reviewed = Revisado pela organização.
public-not-found = Não encontrado.
public-too-many = Consultas demais. Espere um minuto e tente de novo.
public-date = { $day } de { $month } de { $year }
public-date-time = { $date }, às { $time } (hora local do lugar)
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro

## Appointments: slots by day, a household's appointment
nav-slots = Agendamentos
slot-place = Local
slot-starts-at = Início (com seu fuso)
slot-minutes = Minutos
slot-capacity = Capacidade (pessoas)
create-slot = Publicar horário
no-slots = Nenhum horário a partir de hoje.
day-summary = Famílias: { $households } · Pessoas: { $people }
col-start = Início
col-place = Local
col-length = Duração
col-booked = Pessoas agendadas
col-households = Famílias
slot-open = aberto
slot-closed = fechado
slot-cancelled = cancelado
close-slot = Fechar (sem novos agendamentos)
cancel-slot = Cancelar horário
slot-summary = Famílias: { $households } · Pessoas: { $people } de { $capacity }
bad-slot = Um horário precisa de um local, de 1 a 600 minutos e vagas para 1 a 10000 pessoas.
bad-slot-start = O início precisa de data, hora e fuso, como 2026-12-10T09:00-07:00.
appointment = Agendamento
no-appointment = Sem agendamento: dê um à família.
move-to = Mover para
move-household = Mover a família inteira
cancel-appointment = Cancelar o agendamento
slot-no-room = Esse horário não tem vaga para todas as pessoas desta família; nada mudou.
slot-not-open = Esse horário está fechado ou cancelado; nada mudou.
