# Resguardo — صفحات فريق العمل (أفراد المنظمة الذين يراجعون ما وصل).
# العربية (ar). Translated from locales/en/staff.ftl; key terms: GLOSSARY.md.

## Every page

staff-title = { $page } · Resguardo – فريق العمل
staff-brand = Resguardo – فريق العمل
nav-cases = الملفات
nav-enrolment = رموز التسجيل
nav-devices = الأجهزة
nav-audit = سجل النشاط
signed-in-as = { $user } ({ $role })
role-admin = مسؤول
role-reviewer = مراجِع
log-out = تسجيل الخروج
language = اللغة
change-language = تغيير

## Signing in

log-in = تسجيل الدخول
username = اسم المستخدم
password = كلمة المرور
login-wrong =
    { $minutes ->
        [zero] اسم المستخدم أو كلمة المرور غير صحيحة. عند بلوغ الحد الأقصى للمحاولات الفاشلة ({ $attempts })، يُقفل الحساب مؤقتًا.
        [one] اسم المستخدم أو كلمة المرور غير صحيحة. عند بلوغ الحد الأقصى للمحاولات الفاشلة ({ $attempts })، يُقفل الحساب لمدة دقيقة واحدة.
        [two] اسم المستخدم أو كلمة المرور غير صحيحة. عند بلوغ الحد الأقصى للمحاولات الفاشلة ({ $attempts })، يُقفل الحساب لمدة دقيقتين.
        [few] اسم المستخدم أو كلمة المرور غير صحيحة. عند بلوغ الحد الأقصى للمحاولات الفاشلة ({ $attempts })، يُقفل الحساب لمدة { $minutes } دقائق.
        [many] اسم المستخدم أو كلمة المرور غير صحيحة. عند بلوغ الحد الأقصى للمحاولات الفاشلة ({ $attempts })، يُقفل الحساب لمدة { $minutes } دقيقةً.
       *[other] اسم المستخدم أو كلمة المرور غير صحيحة. عند بلوغ الحد الأقصى للمحاولات الفاشلة ({ $attempts })، يُقفل الحساب لمدة { $minutes } دقيقة.
    }
login-too-many = محاولات كثيرة جدًا. يُرجى الانتظار دقيقة ثم المحاولة مرة أخرى.

## Problems

for-admins = هذه الصفحة مخصصة للمسؤولين.
form-expired = انتهت صلاحية هذا النموذج. يُرجى الرجوع وإعادة تحميل الصفحة والمحاولة مرة أخرى.
nothing-here = لا يوجد شيء هنا.
bad-dates = يجب أن تكون التواريخ بصيغة YYYY-MM-DD.
bad-receipt = هذا ليس رمز إيصال (عشرة أحرف وأرقام، مثل 7K3MQ-9XA0Z).
bad-review-state = حالة مراجعة غير معروفة.
bad-days = يجب أن تكون أيام الصلاحية عددًا من 1 إلى 3650.

## Cases

cases = الملفات
receipt-code = رمز الإيصال
from = من
to = إلى
review-state = الحالة
any-state = الكل
state-new = جديد
state-reviewed = تمت المراجعة
search = بحث
export-from = تصدير من
export-to = إلى
download-zip = تنزيل أرشيف ZIP
col-receipt = الإيصال
col-received = تاريخ الاستلام (UTC)
col-applicant = مقدّم الطلب
col-people = الأشخاص
col-review = المراجعة
page-of =
    { $total ->
        [zero] الصفحة { $page } من { $pages } · لا توجد ملفات
        [one] الصفحة { $page } من { $pages } · ملف واحد
        [two] الصفحة { $page } من { $pages } · ملفان
        [few] الصفحة { $page } من { $pages } · { $total } ملفات
        [many] الصفحة { $page } من { $pages } · { $total } ملفًا
       *[other] الصفحة { $page } من { $pages } · { $total } ملف
    }
newer = الأحدث
older = الأقدم

## One case

case-title = الملف { $code }
case-summary =
    { $people ->
        [zero] الإيصال { $code } · تاريخ الاستلام { $at } · لا أحد
        [one] الإيصال { $code } · تاريخ الاستلام { $at } · شخص واحد
        [two] الإيصال { $code } · تاريخ الاستلام { $at } · شخصان
        [few] الإيصال { $code } · تاريخ الاستلام { $at } · { $people } أشخاص
        [many] الإيصال { $code } · تاريخ الاستلام { $at } · { $people } شخصًا
       *[other] الإيصال { $code } · تاريخ الاستلام { $at } · { $people } شخص
    }
applicant = مقدّم الطلب
family-member = فرد العائلة { $n }
note = ملاحظة
no-photos = لا توجد صور.
full-size = الحجم الكامل
review = المراجعة
reviewed-by = تمت المراجعة بواسطة { $user } في { $at }
mark-reviewed = وضع علامة «تمت المراجعة»

## Enrolment codes, devices, audit log

label = التسمية
label-placeholder = مأوى أ، ديسمبر
days-valid = أيام الصلاحية (فارغ: بلا نهاية)
shared-tablets = للأجهزة اللوحية المشتركة (كل عائلة تقفل ملفها برمز PIN)
create-code = إنشاء رمز
col-code = الرمز
col-label = التسمية
col-state = الحالة
col-uses = مرات الاستخدام
col-kind = النوع
kind-shared = جهاز لوحي مشترك
kind-personal = هاتف شخصي
col-install-link = رابط التثبيت
revoke = إلغاء
status-active = فعّال
status-expired = منتهي الصلاحية
status-revoked = مُلغى
col-device = الجهاز
col-registered = تاريخ التسجيل
col-enrolment-code = رمز التسجيل
col-when = الوقت (UTC)
col-who = المستخدم
col-what = الإجراء
col-case = الملف
col-detail = التفاصيل

## الاستمارات

nav-forms = الاستمارات
col-form = الاستمارة
col-version = الإصدار
col-title = العنوان
form-published = منشورة
form-draft = مسودة
form-built-in = منشورة (مضمّنة)
form-file = ملف الاستمارة (JSON أو YAML أو XLSForm ‎.xlsx)
upload-draft = رفع كمسودة
publish-form = نشر هذا الإصدار
forms-note = لا تظهر المسودة إلا هنا. تتلقى الأجهزة الإصدار عند نشره، ولا يتغير الإصدار المنشور أبدًا: تُقبل دائمًا الحالات التي بدأت عليه.
form-problems = لا يمكن استخدام هذا التعريف. يُرجى إصلاح هذه المشكلات ورفع الملف مرة أخرى:
form-unreadable = تعذّرت قراءة الملف:
form-changed = هذا الإصدار منشور بالفعل بمحتوى آخر، والإصدارات المنشورة لا تتغير أبدًا. أعطِ الملف رقم إصدار جديدًا.
form-not-newer = يوجد إصدار أحدث من هذه الاستمارة منشور بالفعل. أعطِ الملف رقم إصدار أعلى.
form-no-file = اختر ملف استمارة لرفعه.
form-languages = اللغات
required-field = إلزامي
shown-when = يظهر عندما
try-form = تجربة هذه الاستمارة
try-it = جرّبها
try-note = املأها كما يفعل الشخص ثم اضغط «تحقّق»: تحكم عليها القواعد نفسها التي تحكم على الحالات المستلمة، ولا يُحفظ شيء. الأسئلة التي تظهر لبعض الإجابات فقط تظهر بعد «تحقّق».
try-form-language = لغة الاستمارة
try-check = تحقّق
try-add-entry = إضافة:
try-remove-entry = إزالة هذا الإدخال
try-photos-in-app = تُلتقط صور الوثائق في التطبيق.
try-yes = نعم
try-no = لا
try-problem = مشكلة
try-problems = ستُرفض هذه الإجابات:
try-no-problems = لا مشاكل. سيرسل الجهاز هذه الإجابات:

## /r/{code}: the public page a person opens with only their receipt code
public-title = موعدك
public-receipt = الإيصال
public-appointment = الموعد
public-when = متى
public-length = المدة
public-minutes = { $minutes } دقيقة
public-place = المكان
public-changed = غيّر فريق العمل هذا الموعد؛ هذا هو الموعد الجديد.
public-cancelled = ألغى فريق العمل الموعد؛ سيعطيك موعدًا آخر.
public-no-appointment = لا يوجد موعد بعد: سيعطيك فريق العمل موعدًا.
public-review = ملفك
public-state-new = تم الاستلام؛ لم تتم المراجعة بعد.
public-state-reviewed = راجعته المنظمة.
public-not-found = غير موجود.
public-too-many = عمليات بحث كثيرة جدًا. انتظر دقيقة ثم حاول مرة أخرى.
public-date = { $day } { $month } { $year }
public-date-time = { $date }، الساعة { $time } (بالتوقيت المحلي للمكان)
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

## Appointments: slots by day, a household's appointment
nav-slots = المواعيد
slot-place = المكان
slot-starts-at = يبدأ في (مع فرق التوقيت)
slot-minutes = الدقائق
slot-capacity = السعة (أشخاص)
create-slot = نشر الموعد
no-slots = لا توجد مواعيد من اليوم فصاعدًا.
day-summary = الأسر: { $households } · الأشخاص: { $people }
col-start = يبدأ
col-place = المكان
col-length = المدة
col-booked = الأشخاص المحجوزون
col-households = الأسر
slot-open = مفتوح
slot-closed = مغلق
slot-cancelled = ملغى
close-slot = إغلاق (لا حجوزات جديدة)
cancel-slot = إلغاء الموعد المتاح
slot-summary = الأسر: { $households } · الأشخاص: { $people } من { $capacity }
bad-slot = يحتاج الموعد إلى مكان، ومن 1 إلى 600 دقيقة، ومكان لـ 1 إلى 10000 شخص.
bad-slot-start = يحتاج البدء إلى التاريخ والوقت وفرق التوقيت، مثل 2026-12-10T09:00-07:00.
appointment = الموعد
no-appointment = لا يوجد موعد: أعطِ الأسرة موعدًا.
move-to = نقل إلى
move-household = نقل الأسرة كلها
cancel-appointment = إلغاء الموعد
slot-no-room = لا يتسع هذا الموعد لكل أفراد هذه الأسرة؛ لم يتغير شيء.
slot-not-open = هذا الموعد مغلق أو ملغى؛ لم يتغير شيء.
