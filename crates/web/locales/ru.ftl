# Панель Adal, русский. Каждый ключ должен быть и в en.ftl, и в kk.ftl
# (это проверяет модульный тест). Термины — по таблице DOMAIN.md.

app-name = Adal
skip-to-content = Перейти к содержанию
tenant-label = Организация
role-label = Роль
lang-label = Язык
lang-switch = Сменить
nav-label = Главное меню
nav-agency = Организации
nav-overview = Обзор
nav-risk-map = Карта рисков
nav-findings = Выявленные нарушения
nav-my-filings = Мои декларации
nav-file-gift = Задекларировать подарок
nav-people = Пользователи и роли
nav-org = Подразделения и должности
nav-password = Сменить пароль
sign-out = Выйти
read-only-banner = Режим только для чтения: Агентство видит экраны этой организации, но ничего не может изменить.
back-home = На начальную страницу
required = обязательно
yes = Да
no = Нет
nobody = Никто
no-department = Без подразделения
computed-at = Рассчитано:

role-employee = Сотрудник
role-compliance_officer = Комплаенс-офицер
role-tenant_admin = Администратор организации
role-hr_officer = Специалист по персоналу
role-procurement_officer = Специалист по закупкам
role-agency_auditor = Аудитор Агентства
role-platform_admin = Администратор платформы

severity-low = Низкая
severity-medium = Средняя
severity-high = Высокая
severity-critical = Критическая
band-low = низкий риск
band-medium = средний риск
band-high = высокий риск
band-critical = критический риск

status-open = Открыто
status-resolved = Урегулировано
status-false_positive = Ложное срабатывание
status-received = Получено, проверяется
status-evaluated = Проверено
status-failed = Ошибка проверки

area-gifts = Подарки
area-conflict_of_interest = Конфликт интересов
area-procurement = Государственные закупки
area-hr = Кадры
area-assets = Имущество и доходы
area-unknown = Прочее

kind-gift = Подарок

signin-title = Вход
signin-email = Электронная почта
signin-password = Пароль
signin-submit = Войти
signin-failed = Неверная электронная почта или пароль.

password-title = Смена пароля
password-current = Текущий пароль
password-new = Новый пароль (не менее 12 символов)
password-confirm = Новый пароль ещё раз
password-submit = Сменить пароль
password-changed = Пароль изменён. Другие ваши сеансы завершены.
password-wrong-current = Текущий пароль неверен.
password-too-short = Новый пароль должен содержать от 12 до 200 символов.
password-mismatch = Новые пароли не совпадают.

error-403-title = Доступ запрещён
error-403-body = Ваша роль не даёт доступа к этой странице.
error-404-title = Не найдено
error-404-body = Такой страницы нет, или она вам недоступна.
error-csrf-title = Форма устарела
error-csrf-body = Эта форма устарела или отправлена не из Adal. Вернитесь, обновите страницу и повторите.
error-500-title = Что-то пошло не так
error-500-body = Ошибка записана в журнал. Повторите попытку позже.

form-has-errors = Некоторые поля нужно исправить: см. сообщения рядом с ними.
err-empty = Заполните это поле.
err-too-long = Слишком длинно.
err-future = Дата не может быть в будущем.
err-date = Укажите дату.
err-bin = Это не БИН (12 цифр с верной контрольной цифрой).
err-choice = Выберите один из вариантов.
err-money = Укажите сумму в тенге, не более двух знаков после запятой, например 150000.00.
err-invalid = Недопустимое значение.
err-already-closed = Это нарушение уже закрыто.

gift-title = Декларация о подарке
gift-intro = Декларируйте каждый подарок или знак гостеприимства, полученный или переданный в связи с работой. Его увидит комплаенс-офицер.
gift-direction = Подарок
gift-direction-received = получен
gift-direction-given = передан
gift-giver-name = Даритель (лицо или организация)
gift-giver-bin = БИН дарителя
gift-giver-bin-hint = Только если даритель — организация: 12 цифр.
gift-description = Что было подарено
gift-value = Стоимость
gift-value-hint = В тенге, например 150000.00
gift-date = Дата
gift-occasion = Повод
gift-submit = Подать декларацию
gift-filed = Декларация получена. Проверка займёт несколько секунд.

my-title = Мои декларации
my-none = Вы ещё не подавали деклараций.
my-findings = Выявленные нарушения
my-no-findings = Нарушений не выявлено.
col-received = Получено

overview-title = Обзор
overview-summary = Открытые нарушения
overview-open-findings = открытых нарушений
overview-by-area = Открытые нарушения по областям и серьёзности
overview-by-area-caption = Открытые нарушения по областям (строки) и серьёзности (столбцы)
overview-none-open = Открытых нарушений нет.
overview-positions = Должности по уровню риска
overview-positions-caption = Должности, упорядоченные по риску их открытых нарушений
overview-no-positions = Ни у одной должности нет открытых нарушений.
overview-see-risk-map = Открыть карту рисков

risk-map-title = Карта коррупционных рисков
risk-map-heading = Карта рисков: открытых нарушений — { $n }
risk-map-desc = Открытых нарушений: { $n }, по вероятности (от 1 до 5, слева направо) и влиянию (от 1 до 5, снизу вверх).
risk-map-cell = Вероятность { $l }, влияние { $i }: нарушений — { $n }, { $band }
risk-map-caption = Каждая ячейка ведёт к нарушениям, которые за ней стоят. Таблица рядом с картой содержит те же числа.
risk-map-table-caption = Открытые нарушения по вероятности и влиянию
risk-map-by-department = По подразделениям и областям
risk-map-by-department-caption = Открытые нарушения по подразделению, области, вероятности и влиянию
likelihood = Вероятность
impact = Влияние

findings-title = Выявленные нарушения
findings-caption = Выявленные нарушения, сначала новые
findings-shown = Показано { $shown } из { $total }
filters = Фильтры
filter-any = Любой
filter-apply = Применить

finding-title = Нарушение
back-to-findings = К списку нарушений
comments-title = Комментарии
comments-none = Комментариев пока нет.
triage-title = Рассмотрение
triage-assign-to = Назначить
triage-assign = Назначить
triage-comment = Комментарий
triage-add-comment = Добавить комментарий
triage-reason = Причина закрытия
triage-resolve = Урегулировать
triage-false-positive = Отметить как ложное срабатывание

col-tenant = Организация
col-bin = БИН
col-region = Регион
col-open-findings = Открытые нарушения
col-high-risk-findings = Высокий или критический риск
col-area = Область
col-total = Всего
col-position = Должность
col-department = Подразделение
col-high-risk-list = В перечне должностей высокого риска
col-score = Балл риска
col-band = Уровень риска
col-severity = Серьёзность
col-status = Статус
col-found = Выявлено
col-rule = Правило
col-lxi = Вероятность × влияние
col-explanation = Пояснение
col-assignee = Ответственный
col-reason = Причина
col-decided = Решение принял
col-name = Имя
col-email = Электронная почта
col-parent = Вышестоящее подразделение
col-risk-level = Уровень коррупционного риска

agency-title = Организации
agency-intro = Все организации в Adal и их открытые нарушения. Откройте организацию, чтобы увидеть её обзор и карту рисков (только чтение).
agency-tenants = Организации и их состояние

people-title = Пользователи и роли
people-caption = Пользователи организации и их роли
org-title = Подразделения и должности
org-departments = Подразделения
org-positions = Должности
