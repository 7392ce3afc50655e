<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk" sourcelanguage="en">
    <context>
        <name>CreateVaultPage</name>
        <message>
            <location filename="../../desktop/unlock.py" line="96" />
            <source>Create a vault</source>
            <translation>Створення сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="99" />
            <source>There is no vault in {folder} yet. Choose a passphrase of at least {count} characters. A long sentence that only you know is best.</source>
            <translation>У теці {folder} ще немає сховища. Виберіть парольну фразу щонайменше з {count} символів. Найкраще — довге речення, яке знаєте лише ви.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="106" />
            <source>New passphrase</source>
            <translation>Нова парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="107" />
            <source>Repeat the passphrase</source>
            <translation>Повторіть парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="109" />
            <source>&amp;New passphrase:</source>
            <translation>&amp;Нова парольна фраза:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="110" />
            <source>Strength:</source>
            <translation>Надійність:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="111" />
            <source>&amp;Repeat it:</source>
            <translation>&amp;Повторіть її:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="116" />
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="120" />
            <source>Creating the vault</source>
            <translation>Сховище створюється</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="123" />
            <location filename="../../desktop/unlock.py" line="124" />
            <source>Create vault</source>
            <translation>Створити сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="146" />
            <source>The passphrase needs at least {count} characters.</source>
            <translation>Парольна фраза має містити щонайменше {count} символів.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="153" />
            <source>The two passphrases differ. Type them again.</source>
            <translation>Парольні фрази не збігаються. Введіть їх ще раз.</translation>
        </message>
    </context>
    <context>
        <name>FieldvaultWindow</name>
        <message>
            <location filename="../../desktop/window.py" line="63" />
            <source>Fieldvault</source>
            <translation>Fieldvault</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="85" />
            <source>Lock the vault</source>
            <translation>Заблокувати сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="93" />
            <source>&amp;Vault</source>
            <translation>&amp;Сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="94" />
            <source>&amp;Settings…</source>
            <translation>&amp;Налаштування…</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="99" />
            <source>Emergency wipe</source>
            <translation>Екстрене знищення</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="221" />
            <source>The vault locked itself after a period without activity.</source>
            <translation>Сховище заблокувалося саме після періоду бездіяльності.</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="222" />
            <source>The vault locked itself because the computer was asleep.</source>
            <translation>Сховище заблокувалося саме, бо комп'ютер був у режимі сну.</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="223" />
            <source>The vault locked itself because the screen was locked.</source>
            <translation>Сховище заблокувалося саме, бо екран було заблоковано.</translation>
        </message>
    </context>
    <context>
        <name>Messages</name>
        <message>
            <location filename="../../desktop/messages.py" line="29" />
            <source>Wrong passphrase. Nothing was changed; try again.</source>
            <translation>Неправильна парольна фраза. Нічого не змінено; спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="31" />
            <source>This vault needs a secret from this computer's keyring, and the keyring does not have it (another computer or user account?). Unlock with the recovery key instead.</source>
            <translation>Цьому сховищу потрібен секрет зі зв’язки ключів цього комп’ютера, але його там немає (інший комп’ютер чи обліковий запис?). Натомість розблокуйте сховище ключем відновлення.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="37" />
            <source>The vault is locked. Unlock it with your passphrase.</source>
            <translation>Сховище заблоковано. Розблокуйте його своєю парольною фразою.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="40" />
            <source>An unexpected error stopped this ({error_type}). Try again.</source>
            <translation>Непередбачена помилка перервала дію ({error_type}). Спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="52" />
            <source>The keyring is not used.</source>
            <translation>Зв’язка ключів не використовується.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="54" />
            <source>No secure keyring on this system: the vault is protected by the passphrase alone. Choose a long passphrase.</source>
            <translation>У цій системі немає захищеної зв’язки ключів: сховище захищене лише парольною фразою. Виберіть довгу парольну фразу.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="61" />
            <source>Part of the key is kept in this computer's keyring ({backend}).</source>
            <translation>Частина ключа зберігається у зв’язці ключів цього комп’ютера ({backend}).</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKeyPage</name>
        <message>
            <location filename="../../desktop/unlock.py" line="195" />
            <source>Your recovery key</source>
            <translation>Ваш ключ відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="199" />
            <source>This key is shown only once. Write it on paper now and keep the paper apart from this computer. If you forget your passphrase, the recovery key is the only way back into the vault.</source>
            <translation>Цей ключ показано лише один раз. Запишіть його на папері зараз і зберігайте папір окремо від цього комп’ютера. Якщо ви забудете парольну фразу, ключ відновлення — єдиний спосіб повернутися до сховища.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="207" />
            <source>Recovery key</source>
            <translation>Ключ відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="215" />
            <source>Keyring</source>
            <translation>Зв’язка ключів</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="218" />
            <location filename="../../desktop/unlock.py" line="219" />
            <source>I have written it down</source>
            <translation>Ключ записано</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="60" />
            <source>Settings</source>
            <translation>Налаштування</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="63" />
            <source>General</source>
            <translation>Загальні</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="67" />
            <source> min</source>
            <translation> хв</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="68" />
            <source>never</source>
            <translation>ніколи</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="69" />
            <source>Lock after minutes without activity</source>
            <translation>Блокувати після хвилин бездіяльності</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="71" />
            <source>&amp;Lock after inactivity:</source>
            <translation>&amp;Блокувати після бездіяльності:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="73" />
            <source>Your name in the custody log</source>
            <translation>Ваше ім'я в журналі зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="74" />
            <source>e.g. a staff code, not necessarily your name</source>
            <translation>напр. службовий код, не обов'язково ім'я</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="75" />
            <source>&amp;Name in the custody log:</source>
            <translation>&amp;Ім'я в журналі зберігання:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="77" />
            <source>Language</source>
            <translation>Мова</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="82" />
            <source>Lan&amp;guage (after restart):</source>
            <translation>&amp;Мова (після перезапуску):</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="84" />
            <source>Part of the key is in this computer's keyring.</source>
            <translation>Частина ключа зберігається у сховищі ключів цього комп'ютера.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="86" />
            <source>No keyring: the passphrase alone protects the vault.</source>
            <translation>Без сховища ключів: сховище захищає лише парольна фраза.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="89" />
            <source>Keyring:</source>
            <translation>Сховище ключів:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="92" />
            <location filename="../../desktop/settings_dialog.py" line="103" />
            <location filename="../../desktop/settings_dialog.py" line="104" />
            <source>Change passphrase</source>
            <translation>Змінити парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="94" />
            <source>Current passphrase</source>
            <translation>Поточна парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="95" />
            <source>New passphrase</source>
            <translation>Нова парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="96" />
            <source>Repeat the new passphrase</source>
            <translation>Повторіть нову парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="99" />
            <source>C&amp;urrent:</source>
            <translation>&amp;Поточна:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="100" />
            <source>&amp;New:</source>
            <translation>&amp;Нова:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="101" />
            <source>Strength:</source>
            <translation>Надійність:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="102" />
            <source>&amp;Repeat:</source>
            <translation>П&amp;овтор:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="111" />
            <source>Emergency</source>
            <translation>Екстрені дії</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="115" />
            <source>A key combination wipes the vault at once, without asking</source>
            <translation>Комбінація клавіш негайно знищує сховище, без підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="119" />
            <source>Emergency wipe shortcut</source>
            <translation>Комбінація клавіш для екстреного знищення</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="121" />
            <source>Shortcut:</source>
            <translation>Комбінація:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="122" />
            <source>Wipe the vault…</source>
            <translation>Знищити сховище…</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="123" />
            <source>Wipe the vault</source>
            <translation>Знищити сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="127" />
            <source>Type the confirmation word</source>
            <translation>Введіть слово підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="130" />
            <source>This destroys every testimony and file in this vault for ever. Type {word} to confirm.</source>
            <translation>Це назавжди знищить усі свідчення та файли в цьому сховищі. Введіть {word}, щоб підтвердити.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="134" />
            <location filename="../../desktop/settings_dialog.py" line="135" />
            <source>Destroy the vault now</source>
            <translation>Знищити сховище зараз</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="158" />
            <source>WIPE</source>
            <translation>ЗНИЩИТИ</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="182" />
            <source>The passphrase needs at least {count} characters.</source>
            <translation>Парольна фраза має містити щонайменше {count} символів.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="188" />
            <source>The two new passphrases differ.</source>
            <translation>Дві нові парольні фрази не збігаються.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="195" />
            <source>Changing…</source>
            <translation>Змінюємо…</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="201" />
            <source>Passphrase changed. Use the new one from now on.</source>
            <translation>Парольну фразу змінено. Відтепер використовуйте нову.</translation>
        </message>
    </context>
    <context>
        <name>StrengthMeter</name>
        <message>
            <location filename="../../desktop/strength.py" line="28" />
            <source>Passphrase strength</source>
            <translation>Надійність парольної фрази</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="38" />
            <source>Very weak: guessed in seconds</source>
            <translation>Дуже слабка: вгадають за секунди</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="39" />
            <source>Weak</source>
            <translation>Слабка</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="40" />
            <source>Fair: add more words</source>
            <translation>Посередня: додайте ще слів</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="41" />
            <source>Strong</source>
            <translation>Надійна</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="42" />
            <source>Very strong</source>
            <translation>Дуже надійна</translation>
        </message>
    </context>
    <context>
        <name>UnlockPage</name>
        <message>
            <location filename="../../desktop/unlock.py" line="246" />
            <source>Unlock the vault</source>
            <translation>Розблокування сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="247" />
            <source>Vault: {folder}</source>
            <translation>Сховище: {folder}</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="251" />
            <source>Why the vault is locked</source>
            <translation>Чому сховище заблоковано</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="256" />
            <source>Passphrase</source>
            <translation>Парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="257" />
            <source>&amp;Passphrase:</source>
            <translation>&amp;Парольна фраза:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="262" />
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="266" />
            <source>Unlocking</source>
            <translation>Розблокування</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="269" />
            <location filename="../../desktop/unlock.py" line="270" />
            <source>Unlock</source>
            <translation>Розблокувати</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="283" />
            <source>Type the vault's passphrase.</source>
            <translation>Введіть парольну фразу сховища.</translation>
        </message>
    </context>
    <context>
        <name>VaultView</name>
        <message>
            <location filename="../../desktop/vault_view.py" line="58" />
            <source>Search cases and testimonies…</source>
            <translation>Пошук у справах і свідченнях…</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="59" />
            <source>Search</source>
            <translation>Пошук</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="61" />
            <source>Lock (Ctrl+L)</source>
            <translation>Заблокувати (Ctrl+L)</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="62" />
            <source>Lock the vault</source>
            <translation>Заблокувати сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="68" />
            <source>Search results</source>
            <translation>Результати пошуку</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="80" />
            <location filename="../../desktop/vault_view.py" line="88" />
            <source>Cases</source>
            <translation>Справи</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="82" />
            <source>Title of a new case</source>
            <translation>Назва нової справи</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="83" />
            <source>New case title</source>
            <translation>Назва нової справи</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="84" />
            <location filename="../../desktop/vault_view.py" line="85" />
            <source>New case</source>
            <translation>Нова справа</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="97" />
            <source>Testimonies of the selected case</source>
            <translation>Свідчення вибраної справи</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="98" />
            <location filename="../../desktop/vault_view.py" line="99" />
            <location filename="../../desktop/vault_view.py" line="107" />
            <location filename="../../desktop/vault_view.py" line="244" />
            <source>New testimony</source>
            <translation>Нове свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="102" />
            <source>Testimonies</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="109" />
            <source>Testimony title</source>
            <translation>Назва свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="111" />
            <source>Language code</source>
            <translation>Код мови</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="112" />
            <source>e.g. uk, ru, en</source>
            <translation>напр. uk, ru, en</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="115" />
            <source>Narrative</source>
            <translation>Розповідь</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="117" />
            <location filename="../../desktop/vault_view.py" line="118" />
            <source>Save testimony</source>
            <translation>Зберегти свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="119" />
            <source>Ctrl+Enter in the narrative also saves.</source>
            <translation>Ctrl+Enter у полі розповіді теж зберігає.</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="123" />
            <source>Form status</source>
            <translation>Стан форми</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="128" />
            <source>&amp;Title:</source>
            <translation>&amp;Назва:</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="129" />
            <source>&amp;Language:</source>
            <translation>&amp;Мова:</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="130" />
            <source>&amp;Narrative:</source>
            <translation>&amp;Розповідь:</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="235" />
            <source>(untitled testimony)</source>
            <translation>(свідчення без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="264" />
            <location filename="../../desktop/vault_view.py" line="295" />
            <location filename="../../desktop/vault_view.py" line="338" />
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="273" />
            <source>Choose or create a case first.</source>
            <translation>Спершу виберіть або створіть справу.</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="279" />
            <source>Write a title or a narrative first.</source>
            <translation>Спершу напишіть назву або розповідь.</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="296" />
            <source>Saved.</source>
            <translation>Збережено.</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="329" />
            <source>No results.</source>
            <translation>Нічого не знайдено.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/vault_view.py" line="329" />
            <source>%n result(s)</source>
            <translation>
                <numerusform>%n результат</numerusform>
                <numerusform>%n результати</numerusform>
                <numerusform>%n результатів</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="338" />
            <source>Case</source>
            <translation>Справа</translation>
        </message>
    </context>
</TS>
