# Adal басқару тақтасы, қазақша. Әр кілт en.ftl мен ru.ftl файлдарында да
# болуы керек (модульдік тест тексереді). Терминдер DOMAIN.md кестесі бойынша.

app-name = Adal
skip-to-content = Мазмұнға өту
tenant-label = Ұйым
role-label = Рөл
lang-label = Тіл
lang-switch = Ауыстыру
nav-label = Негізгі мәзір
nav-agency = Ұйымдар
nav-overview = Шолу
nav-risk-map = Тәуекелдер картасы
nav-findings = Анықталған бұзушылықтар
nav-my-filings = Менің декларацияларым
nav-file-gift = Сыйлықты декларациялау
nav-people = Пайдаланушылар мен рөлдер
nav-org = Бөлімшелер мен лауазымдар
nav-password = Құпиясөзді өзгерту
sign-out = Шығу
read-only-banner = Тек оқу режимі: Агенттік осы ұйымның беттерін көреді, бірақ ештеңені өзгерте алмайды.
back-home = Бастапқы бетке оралу
required = міндетті
yes = Иә
no = Жоқ
nobody = Ешкім
no-department = Бөлімшесіз
computed-at = Есептелген уақыты:

role-employee = Қызметкер
role-compliance_officer = Комплаенс-офицер
role-tenant_admin = Ұйым әкімшісі
role-hr_officer = Кадр маманы
role-procurement_officer = Сатып алу маманы
role-agency_auditor = Агенттік аудиторы
role-platform_admin = Платформа әкімшісі

severity-low = Төмен
severity-medium = Орташа
severity-high = Жоғары
severity-critical = Аса жоғары
band-low = төмен тәуекел
band-medium = орташа тәуекел
band-high = жоғары тәуекел
band-critical = аса жоғары тәуекел

status-open = Ашық
status-resolved = Реттелді
status-false_positive = Жалған іске қосылу
status-received = Қабылданды, тексерілуде
status-evaluated = Тексерілді
status-failed = Тексеру қатесі

area-gifts = Сыйлықтар
area-conflict_of_interest = Мүдделер қақтығысы
area-procurement = Мемлекеттік сатып алу
area-hr = Кадрлар
area-assets = Мүлік және кірістер
area-unknown = Басқа

kind-gift = Сыйлық

signin-title = Кіру
signin-email = Электрондық пошта
signin-password = Құпиясөз
signin-submit = Кіру
signin-failed = Электрондық пошта немесе құпиясөз қате.

password-title = Құпиясөзді өзгерту
password-current = Қазіргі құпиясөз
password-new = Жаңа құпиясөз (кемінде 12 таңба)
password-confirm = Жаңа құпиясөзді қайталаңыз
password-submit = Құпиясөзді өзгерту
password-changed = Құпиясөз өзгертілді. Басқа сеанстарыңыз аяқталды.
password-wrong-current = Қазіргі құпиясөз қате.
password-too-short = Жаңа құпиясөз 12-ден 200-ге дейін таңбадан тұруы керек.
password-mismatch = Жаңа құпиясөздер сәйкес келмейді.

error-403-title = Рұқсат жоқ
error-403-body = Сіздің рөліңіз бұл бетке кіруге рұқсат бермейді.
error-404-title = Табылмады
error-404-body = Мұндай бет жоқ немесе ол сізге қолжетімсіз.
error-csrf-title = Форманың мерзімі өтті
error-csrf-body = Бұл форма ескірген немесе Adal-дан жіберілмеген. Артқа оралып, бетті жаңартып, қайталаңыз.
error-500-title = Бірдеңе дұрыс болмады
error-500-body = Қате журналға жазылды. Кейінірек қайталап көріңіз.

form-has-errors = Кейбір өрістерді түзету керек: олардың жанындағы хабарламаларды қараңыз.
err-empty = Бұл өрісті толтырыңыз.
err-too-long = Тым ұзын.
err-future = Күн болашақта бола алмайды.
err-date = Күнді көрсетіңіз.
err-bin = Бұл БСН емес (дұрыс бақылау цифры бар 12 цифр).
err-choice = Нұсқалардың бірін таңдаңыз.
err-money = Соманы теңгемен, үтірден кейін екі таңбадан аспайтын етіп көрсетіңіз, мысалы 150000.00.
err-invalid = Мән жарамсыз.
err-already-closed = Бұл бұзушылық әлдеқашан жабылған.

gift-title = Сыйлық туралы декларация
gift-intro = Жұмысыңызға байланысты алған немесе берген әр сыйлықты не қонақжайлылықты декларациялаңыз. Оны комплаенс-офицер көреді.
gift-direction = Сыйлық
gift-direction-received = алынды
gift-direction-given = берілді
gift-giver-name = Сыйлаушы (тұлға немесе ұйым)
gift-giver-bin = Сыйлаушының БСН-і
gift-giver-bin-hint = Сыйлаушы ұйым болса ғана: 12 цифр.
gift-description = Не сыйланды
gift-value = Құны
gift-value-hint = Теңгемен, мысалы 150000.00
gift-date = Күні
gift-occasion = Себебі
gift-submit = Декларацияны тапсыру
gift-filed = Декларация қабылданды. Тексеру бірнеше секундқа созылады.

my-title = Менің декларацияларым
my-none = Сіз әлі декларация тапсырған жоқсыз.
my-findings = Анықталған бұзушылықтар
my-no-findings = Бұзушылық анықталған жоқ.
col-received = Қабылданды

overview-title = Шолу
overview-summary = Ашық бұзушылықтар
overview-open-findings = ашық бұзушылық
overview-by-area = Ашық бұзушылықтар салалар мен маңыздылық бойынша
overview-by-area-caption = Ашық бұзушылықтар салалар (жолдар) және маңыздылық (бағандар) бойынша
overview-none-open = Ашық бұзушылықтар жоқ.
overview-positions = Тәуекел деңгейі бойынша лауазымдар
overview-positions-caption = Ашық бұзушылықтарының тәуекелі бойынша реттелген лауазымдар
overview-no-positions = Ашық бұзушылығы бар лауазым жоқ.
overview-see-risk-map = Тәуекелдер картасын ашу

risk-map-title = Сыбайлас жемқорлық тәуекелдерінің картасы
risk-map-heading = Тәуекелдер картасы: ашық бұзушылықтар саны — { $n }
risk-map-desc = Ашық бұзушылықтар саны: { $n }, ықтималдық (1-ден 5-ке дейін, солдан оңға) және әсер (1-ден 5-ке дейін, төменнен жоғары) бойынша.
risk-map-cell = Ықтималдық { $l }, әсер { $i }: бұзушылықтар саны — { $n }, { $band }
risk-map-caption = Әр ұяшық оның артындағы бұзушылықтарға апарады. Картаның жанындағы кестеде дәл сол сандар берілген.
risk-map-table-caption = Ашық бұзушылықтар ықтималдық пен әсер бойынша
risk-map-by-department = Бөлімшелер мен салалар бойынша
risk-map-by-department-caption = Ашық бұзушылықтар бөлімше, сала, ықтималдық және әсер бойынша
likelihood = Ықтималдық
impact = Әсер

findings-title = Анықталған бұзушылықтар
findings-caption = Анықталған бұзушылықтар, алдымен жаңалары
findings-shown = { $total } ішінен { $shown } көрсетілген
filters = Сүзгілер
filter-any = Кез келген
filter-apply = Қолдану

finding-title = Бұзушылық
back-to-findings = Бұзушылықтар тізіміне оралу
comments-title = Түсініктемелер
comments-none = Әзірге түсініктеме жоқ.
triage-title = Қарау
triage-assign-to = Жауаптыны тағайындау
triage-assign = Тағайындау
triage-comment = Түсініктеме
triage-add-comment = Түсініктеме қосу
triage-reason = Жабу себебі
triage-resolve = Реттелді деп белгілеу
triage-false-positive = Жалған іске қосылу деп белгілеу

col-tenant = Ұйым
col-bin = БСН
col-region = Өңір
col-open-findings = Ашық бұзушылықтар
col-high-risk-findings = Жоғары немесе аса жоғары тәуекел
col-area = Сала
col-total = Барлығы
col-position = Лауазым
col-department = Бөлімше
col-high-risk-list = Жоғары тәуекелді лауазымдар тізбесінде
col-score = Тәуекел балы
col-band = Тәуекел деңгейі
col-severity = Маңыздылығы
col-status = Мәртебесі
col-found = Анықталған күні
col-rule = Ереже
col-lxi = Ықтималдық × әсер
col-explanation = Түсіндірме
col-assignee = Жауапты
col-reason = Себебі
col-decided = Шешім қабылдаған
col-name = Аты-жөні
col-email = Электрондық пошта
col-parent = Жоғары тұрған бөлімше
col-risk-level = Сыбайлас жемқорлық тәуекелінің деңгейі

agency-title = Ұйымдар
agency-intro = Adal-дағы барлық ұйымдар және олардың ашық бұзушылықтары. Ұйымның шолуы мен тәуекелдер картасын көру үшін оны ашыңыз (тек оқу).
agency-tenants = Ұйымдар және олардың жағдайы

people-title = Пайдаланушылар мен рөлдер
people-caption = Ұйымның пайдаланушылары және олардың рөлдері
org-title = Бөлімшелер мен лауазымдар
org-departments = Бөлімшелер
org-positions = Лауазымдар
