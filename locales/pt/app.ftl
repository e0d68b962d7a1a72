# Resguardo — o aplicativo que as pessoas usam no celular e em tablets compartilhados.
# Português (pt), uso brasileiro: “você”, palavras simples (algumas pessoas leem pouco).
#
# Traduzido de locales/en/app.ftl: as mesmas mensagens, na mesma ordem, com as mesmas variáveis.
# Termos principais: GLOSSARY.md. Em pt, a categoria [one] vale para 0 e 1.

## The app

app-name = Resguardo
tagline = Tudo o que você digita fica salvo neste aparelho, mesmo sem internet.
language-label = Idioma
online = Conectado
offline = Sem conexão — seu trabalho está seguro neste aparelho
update-ready = Uma nova versão do aplicativo está pronta.
update-now = Atualizar agora
loading = Carregando…
# Shown in the page itself before the app has loaded, the first time only.
boot-loading = Carregando o aplicativo. Isso só acontece uma vez; depois ele funciona sem internet.
skip-to-content = Pular para o conteúdo
not-found = Página não encontrada.
part-missing = Esta parte do aplicativo ainda não foi baixada. Conecte-se à internet uma vez e tente de novo. O que você escreveu está seguro neste aparelho.
part-missing-retry = Tentar de novo

## My cases

my-cases = Meus casos
new-case = Começar um novo formulário
no-cases = Ainda não há formulários neste aparelho.
unnamed = (ainda sem nome)
people =
    { $n ->
        [one] { $n } pessoa
       *[other] { $n } pessoas
    }
storage-usage = Este aparelho guarda { $used } de dados do aplicativo, de cerca de { $quota } disponíveis.
storage-not-reported = Este navegador não informa quanto espaço o aplicativo usa.
case-not-found = Este formulário não está neste aparelho.

## The form

step-of = Etapa { $n } de { $total }
step-about = Sobre você
step-languages = Idiomas e necessidades
step-family = Família que viaja com você
step-documents = Documentos
step-review = Conferir e enviar
next = Próximo
back = Voltar
send = Enviar
edit-again = Corrigir e enviar de novo
delete-draft = Apagar este rascunho
confirm-delete = Apagar este rascunho do aparelho? Não será possível desfazer.
this-form = Este formulário
fix-problems = Algumas respostas precisam de atenção antes do envio.
none = Nenhum

## About you

full-name = Nome completo
date-of-birth = Data de nascimento
date-day = Dia
date-month = Mês
date-year = Ano
choose-month = Mês
country-of-origin = País de origem
search-countries = Buscar um país
stateless = Sem nacionalidade (apátrida) ou não se sabe
phone = Número de telefone (opcional)

## Languages and needs

languages-spoken = Idiomas que você fala
search-languages = Buscar um idioma
most-chosen = Mais escolhidos aqui
no-match = Nada encontrado para “{ $query }”.
needs-question = Você ou sua família precisam de alguma destas coisas?
needs-note = Mais alguma coisa que devemos saber? (opcional)
need-medical = Atendimento médico
need-disability = Apoio para pessoa com deficiência
need-pregnancy = Cuidados na gravidez
need-unaccompanied-child = Uma criança viajando sozinha
need-shelter = Abrigo
need-legal-aid = Ajuda jurídica
need-interpreter = Um intérprete
need-safety = Proteção contra perigo

## Family

member-n = Familiar { $n }
add-member = Adicionar um familiar
remove-member = Remover
confirm-remove-member =
    { $n ->
        [one] Remover { $name } deste formulário? A foto de documento dessa pessoa também será apagada.
       *[other] Remover { $name } deste formulário? As { $n } fotos de documentos dessa pessoa também serão apagadas.
    }
no-members = Nenhum familiar adicionado. Adicione todas as pessoas que viajam com você, para vocês ficarem juntos.
relationship = Parentesco com você
choose-relationship = Escolha
rel-spouse = Marido, esposa ou companheiro
rel-child = Filho ou filha
rel-parent = Mãe ou pai
rel-sibling = Irmão ou irmã
rel-grandparent = Avô ou avó
rel-grandchild = Neto ou neta
rel-other-relative = Outro parente
rel-other = Sem parentesco

## Documents

documents-intro = Tire uma foto de cada documento (passaporte ou documento de identidade, certidão de nascimento…). As fotos ficam neste aparelho até serem enviadas; os dados de localização delas são removidos.
you = Você
photo-kind = Tipo de documento
kind-id-document = Passaporte ou documento de identidade
kind-birth-certificate = Certidão de nascimento
kind-other = Outro documento
take-photo = Tirar uma foto
choose-photo = Escolher da galeria
retake = Tirar de novo
delete-photo = Apagar
photo-processing = Preparando a foto…
photos-not-ready = Espere até todas as fotos ficarem prontas e depois envie.
photo-unreadable = Não foi possível ler esta imagem. Por favor, tire a foto de novo ou apague.
photo-unreadable-send = Não foi possível ler uma foto. Apague ou tire a foto de novo e depois envie.
photo-not-kept = Não foi possível guardar esta foto neste aparelho, então ela não seria enviada. Por favor, tire a foto de novo.
photo-not-kept-full = Não foi possível guardar esta foto: o aparelho está sem espaço. Libere espaço e tire a foto de novo.
review-photo-not-kept = Uma foto de documento não pôde ser guardada neste aparelho e não será enviada. Volte a Documentos e tire a foto de novo.
# A photo's name for screen readers: "Passport or ID page of Luis, ready".
photo-name = { $kind } de { $person }, foto { $state }
photo-state-ready = pronta
photo-state-preparing = em preparação
photo-state-unreadable = ilegível
photo-hard-to-read = Esta foto pode estar difícil de ler. Tirar de novo?
photo-too-dark = Parece escura.
photo-too-blurry = Parece tremida.
orphan-photos = Documentos de alguém que não está mais neste formulário
orphan-photos-hint = Apague estas fotos; senão, o formulário não pode ser enviado.

## Check and send

review-intro = Confira suas respostas. Você pode voltar para mudar qualquer coisa.
review-documents = Fotos de documentos que serão enviadas
no-documents = Nenhuma foto de documento.
server-found-problems = O servidor da organização não pôde aceitar este formulário. Corrija o que ele encontrou e envie de novo:
server-problem-send-again = Confira as respostas e as fotos e depois envie de novo.

## Saving

saving = Salvando…
saved-on-device = Salvo neste aparelho
save-failed = Não foi possível salvar neste aparelho.
storage-unavailable = Este navegador não consegue guardar suas respostas (talvez seja uma janela anônima?). Abra o aplicativo em uma janela normal.
quota-exceeded = Este aparelho está sem espaço. O que você digitou continua na tela; libere espaço e tudo será salvo.

## Where a form stands

state-draft = Rascunho
state-saved = Salvo neste aparelho
state-sending = Enviando
state-delivered = Entregue
state-attention = Precisa da sua atenção
explain-queued = Ele será enviado automaticamente assim que houver conexão. Você pode fechar o aplicativo.
explain-sending = Enviando agora. Se a conexão cair, nada se perde.
explain-waiting-auth = Seus dados estão seguros neste aparelho. Por favor, entre de novo para que eles possam ser enviados.
explain-delivered = A organização recebeu seu formulário.
photos-progress =
    { $total ->
        [one] Foto enviada: { $sent } de { $total }, { $percent } %
       *[other] Fotos enviadas: { $sent } de { $total }, { $percent } %
    }
receipt-label = Seu código de comprovante
receipt-hint = Anote este código ou tire uma foto dele. Com ele, a equipe pode encontrar seu formulário.
receipt-what-to-do = Guarde este código até a equipe entrar em contato com você. Mostre-o, ou o código QR dele, à equipe: é assim que ela encontra seu formulário. Você não precisa enviar o formulário de novo.
receipt-qr-label = Código QR do seu código de comprovante { $code }
receipt-print-view = Versão para imprimir
receipt-print-title = Comprovante para imprimir
receipt-print-name-option = Colocar meu nome na folha impressa
receipt-print-name-label = Nome
receipt-print-now = Imprimir
received-at = Recebido em { $at }
rejected-invalid = O servidor encontrou problemas em algumas respostas. Por favor, corrija e envie de novo.
rejected-conflict = Outro formulário já foi enviado com este número. Por favor, peça ajuda a alguém da equipe.
rejected-outdated = Este aplicativo está desatualizado. Atualize o aplicativo e seu formulário será enviado.
rejected-other = O servidor não pôde aceitar este formulário. Por favor, peça ajuda a alguém da equipe.
photo-missing-on-device = Uma foto deste formulário não está mais neste aparelho. Corrija o formulário e envie de novo.
update-app = Atualizar o aplicativo

## Signing in again

sign-in-again = Entrar de novo
enrolment-code-label = Código da organização
enrolment-code-hint = Digite o código que a organização deu a você (no cartaz ou no cartão).
enrolment-code-invalid = Este código não é válido. Confira e tente de novo.

## What is wrong with an answer

err-required = Por favor, preencha este campo.
err-too-long = Está longo demais.
err-invalid-date = Esta data não é válida.
err-date-in-future = Esta data está no futuro.
err-date-too-old = Esta data é antiga demais.
err-invalid-phone = Use só números, espaços, hifens e, se quiser, um + no começo.
err-invalid-choice = Por favor, escolha uma das opções.
err-duplicate = Isto aparece duas vezes.
err-too-many = Familiares demais em um só formulário.
err-unsupported-form = Esta versão do formulário não é mais aceita; atualize o aplicativo.
err-too-short = Está curto demais.
err-too-few = Por favor, adicione mais entradas.
err-invalid-format = Isto não está na forma esperada.
err-invalid-number = Por favor, escreva um número.
err-out-of-range = Este número está fora do permitido.
err-date-too-late = Esta data é tardia demais.
err-invalid-value = Esta resposta não pode ser usada; por favor, responda de novo.
err-unknown-field = Esta resposta não faz parte do formulário.
err-constraint = Por favor, verifique esta resposta.

## Names of languages a person may speak that browsers often cannot name
## (the others are named by the browser in the reader's language).

lang-qu = quíchua
lang-ay = aimará
lang-gn = guarani
lang-nah = náuatle
lang-mam = mam
lang-quc = k’iche’
lang-kek = q’eqchi’
lang-ti = tigrínia
lang-wo = uolofe
lang-ln = lingala
lang-ff = fula
lang-tw = twi

## Forms the organisation defines

answer-yes = Sim
answer-no = Não
add-entry = Adicionar: { $label }
entry-n = { $label } { $n }
new-form-case = Começar: { $title }
form-missing = Este formulário ainda não está neste aparelho. Conecte-se à internet uma vez para o aplicativo baixá-lo.
no-entries = Nenhum adicionado ainda.

## Shared tablets: each family's form locked with its own PIN

shared-tablet = Tablet compartilhado: o formulário de cada família é protegido com seu próprio PIN. Ninguém mais pode abri-lo.
pin-title = Escolha um PIN para o seu formulário
pin-hint = 6 números, ou uma frase de 8 caracteres ou mais. Você vai precisar dele para abrir seu formulário de novo neste tablet.
pin-label = PIN ou frase
pin-again = O mesmo de novo
pin-start = Começar meu formulário
pin-cancel = Cancelar
pin-six-digits = Um PIN tem 6 números.
pin-passphrase-short = Uma frase tem pelo menos 8 caracteres.
pin-mismatch = Os dois não são iguais.
pin-working = Protegendo seu formulário…
locked-case = Começado { $when } · protegido
locked-title = Este formulário está protegido
locked-hint = Digite o PIN ou a frase escolhidos ao começar o formulário.
unlock = Abrir
unlocking = Abrindo…
wrong-pin = Esse PIN não abre este formulário.
pin-wait =
    { $seconds ->
        [one] Tentativas erradas demais. Espere 1 segundo e tente de novo. Nada foi apagado.
       *[other] Tentativas erradas demais. Espere { $seconds } segundos e tente de novo. Nada foi apagado.
    }
seal-no-key = Este tablet ainda não recebeu a chave da organização, então seu formulário não pode ser enviado com segurança. Ele fica protegido aqui: conecte o tablet à internet uma vez e envie de novo.
finish-and-lock = Terminar e proteger
locked-for-next = Seu formulário está protegido. Só o seu PIN o abre.
tablet-link = Para voluntários: o que este tablet guarda
tablet-title = O que este tablet guarda
tablet-code-hint = Digite o código de inscrição deste tablet para ver o que ele guarda. Nenhum nome é mostrado.
tablet-code-label = Código de inscrição
tablet-show = Mostrar
tablet-wrong-code = Esse não é o código de inscrição deste tablet.
tablet-no-code = Este tablet foi inscrito sem código, então esta tela não pode ser aberta aqui.
tablet-locked-drafts = Formulários protegidos ainda não enviados: { $n }
tablet-waiting = Formulários esperando para ser enviados: { $n }
tablet-need-attention = Formulários que precisam da sua família: { $n }
tablet-delivered = Formulários entregues: { $n }
tablet-last-delivery = Última entrega: { $when }
tablet-no-delivery = Nada foi entregue deste tablet ainda.

# Forgotten PIN: a staff member opens the form, the family chooses a new PIN.
forgot-pin = Esqueceu o PIN?
forgot-pin-how = Um membro da equipe pode abrir este formulário para você. Ele entra neste tablet (o link abre em outra aba), volta aqui e toca em “Abrir com o acesso da equipe”. Depois você escolhe um PIN novo. Nada do que você escreveu se perde.
staff-sign-in-link = Acesso da equipe
staff-open = Abrir com o acesso da equipe
staff-opening = Abrindo…
recover-sign-in-first = Primeiro um membro da equipe precisa entrar neste tablet.
recover-offline = Isto precisa de conexão com a organização. Tente de novo quando o tablet estiver on-line.
recover-not-possible = Este formulário só abre com o PIN dele: foi iniciado antes de este tablet receber a chave da organização.
recover-failed = Não foi possível abrir o formulário assim. Peça ao membro da equipe para tentar de novo.
new-pin-title = Escolha um PIN novo
new-pin-hint = O formulário está aberto. Escolha um PIN novo (6 dígitos) ou uma frase (pelo menos 8 caracteres): a partir de agora só ele abre este formulário.
new-pin-save = Salvar o PIN novo
tablet-or-staff = Ou um membro da equipe entra neste tablet (o link abre em outra aba), volta aqui e toca em “Abrir com o acesso da equipe”.
start-with-pin = Proteger meu formulário com um PIN
start-with-pin-hint = Para um celular que outras pessoas usam: o formulário fica guardado cifrado, só abre com o seu PIN e é bloqueado quando você sai do aplicativo.

## The household's appointment on the receipt
appointment-title = Seu agendamento
appointment-length = { $minutes } minutos
appointment-everyone = O agendamento é para todas as pessoas deste formulário: venham juntas.
appointment-none = Ainda sem agendamento: a equipe vai dar um a você.

## Choosing an appointment on the last step (the list is kept on the device)
appointment-choose-title = Escolha seu horário
appointment-choose-hint = Você pode escolher até 3 horários que lhe convêm, em ordem. Quando o seu formulário chegar, todas as pessoas nele recebem o primeiro que ainda tiver lugar para todas; se nenhum tiver, o horário livre mais próximo. Também pode não escolher nenhum.
appointment-slots-as-of = Horários livres (lista atualizada: { $when }). Alguns podem ter sido preenchidos desde então.
appointment-no-slots-yet = Este aparelho ainda não tem os horários de agendamento (recebe-os quando está conectado). Você pode enviar o formulário mesmo assim: receberá um agendamento quando ele chegar.
appointment-no-slots = Não há horários livres agora. Você pode enviar o formulário mesmo assim: a equipe lhe dará um agendamento.
appointment-places-free =
    { $n ->
        [one] 1 lugar livre
       *[other] { $n } lugares livres
    }
appointment-too-small =
    { $n ->
        [one] Só resta 1 lugar: não dá para todas as pessoas do seu formulário
       *[other] Só restam { $n } lugares: não dão para todas as pessoas do seu formulário
    }
appointment-choice = Opção { $n }
appointment-max-chosen = Você já escolheu 3 horários. Para escolher outro, desmarque um primeiro.

## The appointment after sending, as it stands now
appointment-changed = A equipe mudou seu agendamento ({ $when }).
appointment-cancelled = A equipe cancelou seu agendamento ({ $when }). Ela vai lhe dar outro.
appointment-before = Antes: { $when }
appointment-staff-note = Nota da equipe:
receipt-lookup = Veja seu agendamento a qualquer momento, de qualquer celular ou computador, neste endereço:
appointment-add-to-calendar = Adicionar ao calendário
appointment-calendar-title = Agendamento (comprovante { $code })
appointment-calendar-description = Para todas as pessoas do seu formulário: venham juntas e tragam o código do comprovante { $code }.
appointment-on-list = Agendamento: { $when }
appointment-changed-badge = Mudado pela equipe
appointment-cancelled-badge = Agendamento cancelado pela equipe
