# Resguardo — التطبيق الذي يستخدمه الناس على هواتفهم وعلى الأجهزة اللوحية المشتركة.
# العربية (ar): عربية فصحى مبسطة ومهذبة، تُعرض من اليمين إلى اليسار.
#
# Translated from locales/en/app.ftl: the same messages, order and variables. Key terms: GLOSSARY.md.
# Plurals use all six CLDR categories: zero, one, two, few (3–10), many (11–99), other (100…).
# To stay correct for women and men alike, instructions use «يُرجى» + verbal noun, and buttons
# use verbal nouns, rather than gendered imperatives.

## The app

app-name = Resguardo
tagline = كل ما يُكتب هنا يُحفظ على هذا الجهاز، حتى دون إنترنت.
language-label = اللغة
online = متصل بالإنترنت
offline = غير متصل بالإنترنت — عملك في أمان على هذا الجهاز
update-ready = إصدار جديد من التطبيق جاهز.
update-now = التحديث الآن
loading = جارٍ التحميل…
# Shown in the page itself before the app has loaded, the first time only.
boot-loading = جارٍ تحميل التطبيق. يحدث هذا مرة واحدة فقط، وبعدها يعمل دون إنترنت.
skip-to-content = الانتقال إلى المحتوى
not-found = الصفحة غير موجودة.
part-missing = لم يتم تنزيل هذا الجزء من التطبيق بعد. اتصل بالإنترنت مرة واحدة، ثم حاول مرة أخرى. ما كتبته محفوظ بأمان على هذا الجهاز.
part-missing-retry = حاول مرة أخرى

## My cases

my-cases = ملفاتي
new-case = بدء استمارة جديدة
no-cases = لا توجد استمارات على هذا الجهاز بعد.
unnamed = (بلا اسم بعد)
people =
    { $n ->
        [zero] لا أحد
        [one] شخص واحد
        [two] شخصان
        [few] { $n } أشخاص
        [many] { $n } شخصًا
       *[other] { $n } شخص
    }
storage-usage = يحتوي هذا الجهاز على { $used } من بيانات التطبيق، من أصل مساحة متاحة له تبلغ نحو { $quota }.
storage-not-reported = لا يوضح هذا المتصفح مقدار المساحة التي يستخدمها التطبيق.
case-not-found = هذه الاستمارة غير موجودة على هذا الجهاز.

## The form

step-of = الخطوة { $n } من { $total }
step-about = معلومات عنك
step-languages = اللغات والاحتياجات
step-family = العائلة المسافرة معك
step-documents = الوثائق
step-review = التحقق والإرسال
next = التالي
back = رجوع
send = إرسال
edit-again = التصحيح وإعادة الإرسال
delete-draft = حذف هذه المسودة
confirm-delete = حذف هذه المسودة من الجهاز؟ لا يمكن التراجع عن ذلك.
this-form = هذه الاستمارة
fix-problems = بعض الإجابات تحتاج إلى تعديل قبل الإرسال.
none = لا شيء

## About you

full-name = الاسم الكامل
date-of-birth = تاريخ الميلاد
date-day = اليوم
date-month = الشهر
date-year = السنة
choose-month = الشهر
country-of-origin = البلد الأصلي
search-countries = البحث عن بلد
stateless = بلا جنسية أو غير معروف
phone = رقم الهاتف (اختياري)

## Languages and needs

languages-spoken = لغاتك
search-languages = البحث عن لغة
most-chosen = الأكثر اختيارًا هنا
no-match = لا توجد نتائج تطابق «{ $query }».
needs-question = هل هناك حاجة إلى أي مما يلي، لك أو لعائلتك؟
needs-note = هل هناك شيء آخر ينبغي أن نعرفه؟ (اختياري)
need-medical = رعاية طبية
need-disability = دعم لذوي الإعاقة
need-pregnancy = رعاية الحمل
need-unaccompanied-child = طفل يسافر وحده
need-shelter = مأوى
need-legal-aid = مساعدة قانونية
need-interpreter = مترجم شفهي
need-safety = الحماية من الخطر

## Family

member-n = فرد العائلة { $n }
add-member = إضافة فرد من العائلة
remove-member = إزالة
confirm-remove-member =
    { $n ->
        [zero] إزالة { $name } من هذه الاستمارة؟
        [one] إزالة { $name } من هذه الاستمارة؟ ستُحذف أيضًا صورة وثيقة هذا الشخص.
        [two] إزالة { $name } من هذه الاستمارة؟ ستُحذف أيضًا صورتان لوثائق هذا الشخص.
        [few] إزالة { $name } من هذه الاستمارة؟ ستُحذف أيضًا { $n } صور لوثائق هذا الشخص.
        [many] إزالة { $name } من هذه الاستمارة؟ ستُحذف أيضًا { $n } صورةً لوثائق هذا الشخص.
       *[other] إزالة { $name } من هذه الاستمارة؟ ستُحذف أيضًا { $n } صورة لوثائق هذا الشخص.
    }
no-members = لم تتم إضافة أي فرد من العائلة. يُرجى إضافة كل من يسافر معك حتى تبقوا معًا.
relationship = صلة القرابة بك
choose-relationship = اختيار
rel-spouse = الزوج أو الزوجة أو الشريك
rel-child = الابن أو الابنة
rel-parent = الأم أو الأب
rel-sibling = الأخ أو الأخت
rel-grandparent = الجد أو الجدة
rel-grandchild = الحفيد أو الحفيدة
rel-other-relative = قريب آخر
rel-other = لا توجد قرابة

## Documents

documents-intro = يُرجى تصوير كل وثيقة (جواز السفر أو بطاقة الهوية، شهادة الميلاد…). تبقى الصور على هذا الجهاز حتى يتم إرسالها، وتُزال منها بيانات الموقع.
you = أنت
photo-kind = نوع الوثيقة
kind-id-document = جواز السفر أو بطاقة الهوية
kind-birth-certificate = شهادة الميلاد
kind-other = وثيقة أخرى
take-photo = التقاط صورة
choose-photo = الاختيار من المعرض
retake = إعادة التصوير
delete-photo = حذف
photo-processing = جارٍ تجهيز الصورة…
photos-not-ready = يُرجى الانتظار حتى تصبح كل الصور جاهزة، ثم الإرسال.
photo-unreadable = تعذّرت قراءة هذه الصورة. يُرجى التقاطها من جديد أو حذفها.
photo-unreadable-send = تعذّرت قراءة إحدى الصور. يُرجى حذفها أو التقاطها من جديد، ثم الإرسال.
photo-not-kept = تعذّر حفظ هذه الصورة على هذا الجهاز، لذلك لن تُرسَل. يُرجى التقاطها من جديد.
photo-not-kept-full = تعذّر حفظ هذه الصورة: لا توجد مساحة كافية على الجهاز. يُرجى تحرير بعض المساحة ثم التقاطها من جديد.
review-photo-not-kept = تعذّر حفظ إحدى صور المستندات على هذا الجهاز ولن تُرسَل. يُرجى الرجوع إلى المستندات والتقاطها من جديد.
# A photo's name for screen readers: "Passport or ID page of Luis, ready".
photo-name = { $kind }، { $person }، { $state }
photo-state-ready = الصورة جاهزة
photo-state-preparing = الصورة قيد التجهيز
photo-state-unreadable = تتعذّر قراءة الصورة
photo-hard-to-read = قد تكون قراءة هذه الصورة صعبة. إعادة التصوير؟
photo-too-dark = تبدو مظلمة.
photo-too-blurry = تبدو غير واضحة.
orphan-photos = وثائق شخص لم يعد في هذه الاستمارة
orphan-photos-hint = يُرجى حذف هذه الصور، وإلا فلن يمكن إرسال الاستمارة.

## Check and send

review-intro = يُرجى التحقق من إجاباتك. يمكنك الرجوع لتغيير أي شيء.
review-documents = صور الوثائق التي سيتم إرسالها
no-documents = لا توجد صور وثائق.
server-found-problems = لم يتمكن خادم المنظمة من قبول هذه الاستمارة. يُرجى تصحيح ما وجده ثم إعادة الإرسال:
server-problem-send-again = يُرجى التحقق من الإجابات والصور، ثم إعادة الإرسال.

## Saving

saving = جارٍ الحفظ…
saved-on-device = تم الحفظ على هذا الجهاز
save-failed = تعذّر الحفظ على هذا الجهاز.
storage-unavailable = لا يستطيع هذا المتصفح الاحتفاظ بإجاباتك (ربما بسبب استخدام نافذة خاصة؟). يُرجى فتح التطبيق في نافذة عادية.
quota-exceeded = لا توجد مساحة كافية على هذا الجهاز. ما كتبته لا يزال على الشاشة؛ وسيُحفظ بعد تحرير بعض المساحة.

## Where a form stands

state-draft = مسودة
state-saved = تم الحفظ على هذا الجهاز
state-sending = جارٍ الإرسال
state-delivered = تم التسليم
state-attention = بحاجة إلى انتباهك
explain-queued = سيتم إرسالها تلقائيًا فور توفر الاتصال. يمكنك إغلاق التطبيق.
explain-sending = جارٍ الإرسال الآن. إذا انقطع الاتصال فلن يضيع شيء.
explain-waiting-auth = بياناتك في أمان على هذا الجهاز. يُرجى تسجيل الدخول مرة أخرى حتى يمكن إرسالها.
explain-delivered = استلمت المنظمة استمارتك.
photos-progress =
    { $total ->
        [zero] تم إرسال { $sent } من { $total }، { $percent }٪
        [one] تم إرسال { $sent } من صورة واحدة، { $percent }٪
        [two] تم إرسال { $sent } من صورتين، { $percent }٪
        [few] تم إرسال { $sent } من { $total } صور، { $percent }٪
        [many] تم إرسال { $sent } من { $total } صورةً، { $percent }٪
       *[other] تم إرسال { $sent } من { $total } صورة، { $percent }٪
    }
receipt-label = رمز الإيصال الخاص بك
receipt-hint = يُرجى كتابة هذا الرمز أو تصويره. يستطيع فريق العمل العثور على استمارتك بواسطته.
receipt-what-to-do = احتفظ بهذا الرمز إلى أن يتواصل معك فريق العمل. اعرضه، أو رمز QR الخاص به، على فريق العمل: هكذا يجدون استمارتك. لا تحتاج إلى إرسال الاستمارة مرة أخرى.
receipt-qr-label = رمز QR لرمز الإيصال الخاص بك { $code }
receipt-print-view = نسخة للطباعة
receipt-print-title = إيصال للطباعة
receipt-print-name-option = ضع اسمي على الورقة المطبوعة
receipt-print-name-label = الاسم
receipt-print-now = طباعة
received-at = تاريخ الاستلام: { $at }
rejected-invalid = وجد الخادم مشكلات في بعض الإجابات. يُرجى تصحيحها وإعادة الإرسال.
rejected-conflict = سبق إرسال استمارة مختلفة بهذا الرقم. يُرجى طلب المساعدة من أحد أعضاء فريق العمل.
rejected-outdated = هذا التطبيق قديم. يُرجى تحديثه، وبعدها سيتم إرسال استمارتك.
rejected-other = لم يتمكن الخادم من قبول هذه الاستمارة. يُرجى طلب المساعدة من أحد أعضاء فريق العمل.
photo-missing-on-device = إحدى صور هذه الاستمارة لم تعد على هذا الجهاز. يُرجى تصحيح الاستمارة وإعادة إرسالها.
update-app = تحديث التطبيق

## Signing in again

sign-in-again = تسجيل الدخول مرة أخرى
enrolment-code-label = رمز المنظمة
enrolment-code-hint = يُرجى كتابة الرمز الذي أعطتك إياه المنظمة (على الملصق أو البطاقة).
enrolment-code-invalid = هذا الرمز غير صالح. يُرجى التحقق منه والمحاولة مرة أخرى.

## What is wrong with an answer

err-required = يُرجى ملء هذا الحقل.
err-too-long = هذا طويل جدًا.
err-invalid-date = هذا التاريخ غير صالح.
err-date-in-future = هذا التاريخ في المستقبل.
err-date-too-old = هذا التاريخ قديم جدًا.
err-invalid-phone = يُرجى استخدام الأرقام والمسافات والشرطات فقط، ويمكن وضع + في البداية.
err-invalid-choice = يُرجى اختيار أحد الخيارات.
err-duplicate = يظهر هذا مرتين.
err-too-many = عدد أفراد العائلة كبير جدًا لاستمارة واحدة.
err-unsupported-form = لم يعد هذا الإصدار من الاستمارة مقبولًا؛ يُرجى تحديث التطبيق.
err-too-short = هذا قصير جدًا.
err-too-few = يُرجى إضافة المزيد من الإدخالات.
err-invalid-format = هذا ليس بالشكل المطلوب.
err-invalid-number = يُرجى كتابة رقم.
err-out-of-range = هذا الرقم خارج الحدود المسموح بها.
err-date-too-late = هذا التاريخ متأخر جدًا.
err-invalid-value = لا يمكن استخدام هذه الإجابة؛ يُرجى الإجابة مرة أخرى.
err-unknown-field = هذه الإجابة ليست جزءًا من الاستمارة.
err-constraint = يُرجى التحقق من هذه الإجابة.

## Names of languages a person may speak that browsers often cannot name
## (the others are named by the browser in the reader's language).

lang-qu = الكيتشوا
lang-ay = الأيمارا
lang-gn = الغوارانية
lang-nah = الناواتل
lang-mam = المام
lang-quc = الكيتشي
lang-kek = الكيكتشي
lang-ti = التغرينية
lang-wo = الولوفية
lang-ln = اللينغالا
lang-ff = الفولانية
lang-tw = التوي

## Forms the organisation defines

answer-yes = نعم
answer-no = لا
add-entry = إضافة: { $label }
entry-n = { $label } { $n }
new-form-case = ابدأ: { $title }
form-missing = هذه الاستمارة غير موجودة على هذا الجهاز بعد. اتصل بالإنترنت مرة واحدة ليتمكن التطبيق من تنزيلها.
no-entries = لم تتم إضافة أي شيء بعد.

## Shared tablets: each family's form locked with its own PIN

shared-tablet = جهاز لوحي مشترك: استمارة كل عائلة مقفلة برمز PIN خاص بها. لا يستطيع أحد غيرها فتحها.
pin-title = اختر رمز PIN لاستمارتك
pin-hint = ستة أرقام، أو عبارة من ثمانية أحرف أو أكثر. ستحتاج إليه لفتح استمارتك مرة أخرى على هذا الجهاز.
pin-label = رمز PIN أو عبارة المرور
pin-again = الشيء نفسه مرة أخرى
pin-start = ابدأ استمارتي
pin-cancel = إلغاء
pin-six-digits = رمز PIN من ستة أرقام.
pin-passphrase-short = العبارة من ثمانية أحرف على الأقل.
pin-mismatch = الاثنان غير متطابقين.
pin-working = جارٍ قفل استمارتك…
locked-case = بدأت { $when } · مقفلة
locked-title = هذه الاستمارة مقفلة
locked-hint = اكتب رمز PIN أو العبارة التي اخترتها عند بدء الاستمارة.
unlock = فتح
unlocking = جارٍ الفتح…
wrong-pin = رمز PIN هذا لا يفتح هذه الاستمارة.
pin-wait =
    { $seconds ->
        [zero] محاولات خاطئة كثيرة. حاول مرة أخرى الآن. لم يُمحَ شيء.
        [one] محاولات خاطئة كثيرة. انتظر ثانية واحدة ثم حاول مرة أخرى. لم يُمحَ شيء.
        [two] محاولات خاطئة كثيرة. انتظر ثانيتين ثم حاول مرة أخرى. لم يُمحَ شيء.
        [few] محاولات خاطئة كثيرة. انتظر { $seconds } ثوانٍ ثم حاول مرة أخرى. لم يُمحَ شيء.
        [many] محاولات خاطئة كثيرة. انتظر { $seconds } ثانية ثم حاول مرة أخرى. لم يُمحَ شيء.
       *[other] محاولات خاطئة كثيرة. انتظر { $seconds } ثانية ثم حاول مرة أخرى. لم يُمحَ شيء.
    }
seal-no-key = لم يتلقَّ هذا الجهاز مفتاح المنظمة بعد، لذلك لا يمكن إرسال استمارتك بأمان. تبقى مقفلة هنا: صِل الجهاز بالإنترنت مرة واحدة ثم أرسلها مرة أخرى.
finish-and-lock = إنهاء وقفل
locked-for-next = استمارتك مقفلة. لا يفتحها إلا رمز PIN الخاص بك.
tablet-link = للمتطوعين: ما يحفظه هذا الجهاز
tablet-title = ما يحفظه هذا الجهاز
tablet-code-hint = اكتب رمز تسجيل هذا الجهاز لترى ما يحفظه. لا تظهر أي أسماء.
tablet-code-label = رمز التسجيل
tablet-show = عرض
tablet-wrong-code = هذا ليس رمز تسجيل هذا الجهاز.
tablet-no-code = سُجِّل هذا الجهاز بلا رمز، لذلك لا يمكن فتح هذه الشاشة هنا.
tablet-locked-drafts = استمارات مقفلة لم تُرسل بعد: { $n }
tablet-waiting = استمارات تنتظر الإرسال: { $n }
tablet-need-attention = استمارات تحتاج إلى عائلتها: { $n }
tablet-delivered = استمارات سُلِّمت: { $n }
tablet-last-delivery = آخر تسليم: { $when }
tablet-no-delivery = لم يُسلَّم شيء من هذا الجهاز بعد.

# Forgotten PIN: a staff member opens the form, the family chooses a new PIN.
forgot-pin = هل نسيت رمز PIN؟
forgot-pin-how = يستطيع أحد أفراد فريق العمل فتح هذه الاستمارة لك. يسجّل دخوله على هذا الجهاز اللوحي (يُفتح الرابط في علامة تبويب جديدة)، ثم يعود إلى هنا ويضغط «الفتح بتسجيل دخول فريق العمل». بعد ذلك تختار رمز PIN جديدًا. لن يضيع شيء مما كتبته.
staff-sign-in-link = تسجيل دخول فريق العمل
staff-open = الفتح بتسجيل دخول فريق العمل
staff-opening = جارٍ الفتح…
recover-sign-in-first = يجب أن يسجّل أحد أفراد فريق العمل دخوله على هذا الجهاز اللوحي أولًا.
recover-offline = يحتاج هذا إلى اتصال بالمنظمة. حاول مرة أخرى عندما يكون الجهاز اللوحي متصلًا بالإنترنت.
recover-not-possible = لا تُفتح هذه الاستمارة إلا برمز PIN الخاص بها: بُدئت قبل أن يتلقى هذا الجهاز اللوحي مفتاح المنظمة.
recover-failed = تعذّر فتح الاستمارة بهذه الطريقة. اطلب من فرد فريق العمل المحاولة مرة أخرى.
new-pin-title = اختر رمز PIN جديدًا
new-pin-hint = الاستمارة مفتوحة. اختر رمز PIN جديدًا (6 أرقام) أو عبارة مرور (8 أحرف على الأقل): من الآن لا يفتح هذه الاستمارة غيره.
new-pin-save = حفظ رمز PIN الجديد
tablet-or-staff = أو يسجّل أحد أفراد فريق العمل دخوله على هذا الجهاز اللوحي (يُفتح الرابط في علامة تبويب جديدة)، ثم يعود إلى هنا ويضغط «الفتح بتسجيل دخول فريق العمل».
start-with-pin = اقفل استمارتي برمز PIN
start-with-pin-hint = لهاتف يستخدمه أشخاص آخرون: تُحفظ الاستمارة مشفّرة، ولا تُفتح إلا برمز PIN الخاص بك، وتُقفل عندما تغادر التطبيق.

## The household's appointment on the receipt
appointment-title = موعدك
appointment-length = المدة: { $minutes } دقيقة
appointment-everyone = الموعد لكل الأشخاص في هذه الاستمارة: تعالوا معًا.
appointment-none = لا يوجد موعد بعد: سيعطيك فريق العمل موعدًا.

## Choosing an appointment on the last step (the list is kept on the device)
appointment-choose-title = اختر موعدك
appointment-choose-hint = يمكنك اختيار حتى 3 أوقات تناسبك، بالترتيب. عندما تصل استمارتك، يحصل كل من فيها على أول وقت منها ما زال فيه مكان لكم جميعًا؛ وإن لم يوجد، فأقرب وقت متاح. يمكنك أيضًا ألا تختار أي وقت.
appointment-slots-as-of = الأوقات المتاحة حتى { $when }. ربما امتلأ بعضها منذ ذلك الحين.
appointment-no-slots-yet = لا توجد أوقات المواعيد على هذا الجهاز بعد (يحصل عليها عندما يتصل بالإنترنت). يمكنك إرسال استمارتك على أي حال: ستحصل على موعد عندما تصل.
appointment-no-slots = لا توجد أوقات متاحة الآن. يمكنك إرسال استمارتك على أي حال: سيعطيك فريق العمل موعدًا.
appointment-places-free =
    { $n ->
        [zero] لا أماكن متاحة
        [one] مكان واحد متاح
        [two] مكانان متاحان
        [few] { $n } أماكن متاحة
        [many] { $n } مكانًا متاحًا
       *[other] { $n } مكان متاح
    }
appointment-too-small =
    { $n ->
        [zero] لا أماكن متاحة: لا يكفي لكل من في استمارتك
        [one] بقي مكان واحد فقط: لا يكفي لكل من في استمارتك
        [two] بقي مكانان فقط: لا يكفيان لكل من في استمارتك
        [few] بقيت { $n } أماكن فقط: لا تكفي لكل من في استمارتك
        [many] بقي { $n } مكانًا فقط: لا تكفي لكل من في استمارتك
       *[other] بقي { $n } مكان فقط: لا تكفي لكل من في استمارتك
    }
appointment-choice = الاختيار { $n }
appointment-max-chosen = لقد اخترت 3 أوقات. لاختيار وقت آخر، ألغِ تحديد أحدها أولًا.

## The appointment after sending, as it stands now
appointment-changed = غيّر فريق العمل موعدك ({ $when }).
appointment-cancelled = ألغى فريق العمل موعدك ({ $when }). سيعطيك موعدًا آخر.
appointment-before = سابقًا: { $when }
appointment-staff-note = ملاحظة من فريق العمل:
receipt-lookup = يمكنك رؤية موعدك في أي وقت، من أي هاتف أو حاسوب، على هذا العنوان:
appointment-add-to-calendar = أضف إلى التقويم
appointment-calendar-title = موعد (الإيصال { $code })
appointment-calendar-description = لكل من في استمارتك: تعالوا معًا وأحضروا رمز الإيصال { $code }.
appointment-on-list = الموعد: { $when }
appointment-changed-badge = غيّره فريق العمل
appointment-cancelled-badge = ألغى فريق العمل الموعد
