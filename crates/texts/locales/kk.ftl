# Adal жіберетін хаттар (бұзушылықтар туралы хабарламалар), қазақ тілінде.
severity-low = төмен
severity-medium = орташа
severity-high = жоғары
severity-critical = сыни
alert-subject = [Adal] { $severity } маңыздылықтағы бұзушылық: { $title }
alert-intro = { $severity } маңыздылықтағы бұзушылық комплаенс қызметінің назарын қажет етеді.
alert-rule = Ереже
alert-lxi = Ықтималдық × әсер
alert-filing = Жазба алынды
alert-finding = Бұзушылық
alert-open = Adal жүйесінде ашу
assigned-subject = [Adal] Сізге бұзушылық тағайындалды: { $title }
assigned-intro = Adal жүйесінде сізге бұзушылық тағайындалды. Ол неге қатысты екенін көру үшін жүйеге кіріңіз.
