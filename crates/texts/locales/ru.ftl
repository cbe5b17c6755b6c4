# Письма Adal (оповещения о нарушениях) на русском языке.
severity-low = низкой
severity-medium = средней
severity-high = высокой
severity-critical = критической
alert-subject = [Adal] Нарушение { $severity } важности: { $title }
alert-intro = Нарушение { $severity } важности требует внимания комплаенс-службы.
alert-rule = Правило
alert-lxi = Вероятность × влияние
alert-filing = Запись получена
alert-finding = Нарушение
alert-open = Открыть в Adal
assigned-subject = [Adal] Вам назначено нарушение: { $title }
assigned-intro = В Adal вам назначено нарушение. Войдите, чтобы узнать, чего оно касается.
