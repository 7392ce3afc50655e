<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk" sourcelanguage="en">
    <context>
        <name>CreateVaultPage</name>
        <message>
            <source>Create a vault</source>
            <translation>Створення сховища</translation>
        </message>
        <message>
            <source>There is no vault in {folder} yet. Choose a passphrase of at least {count} characters. A long sentence that only you know is best.</source>
            <translation>У теці {folder} ще немає сховища. Виберіть парольну фразу щонайменше з {count} символів. Найкраще — довге речення, яке знаєте лише ви.</translation>
        </message>
        <message>
            <source>New passphrase</source>
            <translation>Нова парольна фраза</translation>
        </message>
        <message>
            <source>Repeat the passphrase</source>
            <translation>Повторіть парольну фразу</translation>
        </message>
        <message>
            <source>&amp;New passphrase:</source>
            <translation>&amp;Нова парольна фраза:</translation>
        </message>
        <message>
            <source>&amp;Repeat it:</source>
            <translation>&amp;Повторіть її:</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <source>Creating the vault</source>
            <translation>Сховище створюється</translation>
        </message>
        <message>
            <source>Create vault</source>
            <translation>Створити сховище</translation>
        </message>
        <message>
            <source>The passphrase needs at least {count} characters.</source>
            <translation>Парольна фраза має містити щонайменше {count} символів.</translation>
        </message>
        <message>
            <source>The two passphrases differ. Type them again.</source>
            <translation>Парольні фрази не збігаються. Введіть їх ще раз.</translation>
        </message>
    </context>
    <context>
        <name>FieldvaultWindow</name>
        <message>
            <source>Fieldvault</source>
            <translation>Fieldvault</translation>
        </message>
        <message>
            <source>Lock the vault</source>
            <translation>Заблокувати сховище</translation>
        </message>
    </context>
    <context>
        <name>Messages</name>
        <message>
            <source>Wrong passphrase. Nothing was changed; try again.</source>
            <translation>Неправильна парольна фраза. Нічого не змінено; спробуйте ще раз.</translation>
        </message>
        <message>
            <source>This vault needs a secret from this computer's keyring, and the keyring does not have it (another computer or user account?). Unlock with the recovery key instead.</source>
            <translation>Цьому сховищу потрібен секрет зі зв’язки ключів цього комп’ютера, але його там немає (інший комп’ютер чи обліковий запис?). Натомість розблокуйте сховище ключем відновлення.</translation>
        </message>
        <message>
            <source>The vault is locked. Unlock it with your passphrase.</source>
            <translation>Сховище заблоковано. Розблокуйте його своєю парольною фразою.</translation>
        </message>
        <message>
            <source>An unexpected error stopped this ({error_type}). Try again.</source>
            <translation>Непередбачена помилка перервала дію ({error_type}). Спробуйте ще раз.</translation>
        </message>
        <message>
            <source>The keyring is not used.</source>
            <translation>Зв’язка ключів не використовується.</translation>
        </message>
        <message>
            <source>No secure keyring on this system: the vault is protected by the passphrase alone. Choose a long passphrase.</source>
            <translation>У цій системі немає захищеної зв’язки ключів: сховище захищене лише парольною фразою. Виберіть довгу парольну фразу.</translation>
        </message>
        <message>
            <source>Part of the key is kept in this computer's keyring ({backend}).</source>
            <translation>Частина ключа зберігається у зв’язці ключів цього комп’ютера ({backend}).</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKeyPage</name>
        <message>
            <source>Your recovery key</source>
            <translation>Ваш ключ відновлення</translation>
        </message>
        <message>
            <source>This key is shown only once. Write it on paper now and keep the paper apart from this computer. If you forget your passphrase, the recovery key is the only way back into the vault.</source>
            <translation>Цей ключ показано лише один раз. Запишіть його на папері зараз і зберігайте папір окремо від цього комп’ютера. Якщо ви забудете парольну фразу, ключ відновлення — єдиний спосіб повернутися до сховища.</translation>
        </message>
        <message>
            <source>Recovery key</source>
            <translation>Ключ відновлення</translation>
        </message>
        <message>
            <source>Keyring</source>
            <translation>Зв’язка ключів</translation>
        </message>
        <message>
            <source>I have written it down</source>
            <translation>Ключ записано</translation>
        </message>
    </context>
    <context>
        <name>UnlockPage</name>
        <message>
            <source>Unlock the vault</source>
            <translation>Розблокування сховища</translation>
        </message>
        <message>
            <source>Vault: {folder}</source>
            <translation>Сховище: {folder}</translation>
        </message>
        <message>
            <source>Passphrase</source>
            <translation>Парольна фраза</translation>
        </message>
        <message>
            <source>&amp;Passphrase:</source>
            <translation>&amp;Парольна фраза:</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <source>Unlocking</source>
            <translation>Розблокування</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>Розблокувати</translation>
        </message>
        <message>
            <source>Type the vault's passphrase.</source>
            <translation>Введіть парольну фразу сховища.</translation>
        </message>
    </context>
    <context>
        <name>VaultView</name>
        <message>
            <source>Search cases and testimonies…</source>
            <translation>Пошук у справах і свідченнях…</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>Пошук</translation>
        </message>
        <message>
            <source>Lock (Ctrl+L)</source>
            <translation>Заблокувати (Ctrl+L)</translation>
        </message>
        <message>
            <source>Lock the vault</source>
            <translation>Заблокувати сховище</translation>
        </message>
        <message>
            <source>Search results</source>
            <translation>Результати пошуку</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>Справи</translation>
        </message>
        <message>
            <source>Title of a new case</source>
            <translation>Назва нової справи</translation>
        </message>
        <message>
            <source>New case title</source>
            <translation>Назва нової справи</translation>
        </message>
        <message>
            <source>New case</source>
            <translation>Нова справа</translation>
        </message>
        <message>
            <source>Testimonies of the selected case</source>
            <translation>Свідчення вибраної справи</translation>
        </message>
        <message>
            <source>New testimony</source>
            <translation>Нове свідчення</translation>
        </message>
        <message>
            <source>Testimonies</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <source>Testimony title</source>
            <translation>Назва свідчення</translation>
        </message>
        <message>
            <source>Language code</source>
            <translation>Код мови</translation>
        </message>
        <message>
            <source>e.g. uk, ru, en</source>
            <translation>напр. uk, ru, en</translation>
        </message>
        <message>
            <source>Narrative</source>
            <translation>Розповідь</translation>
        </message>
        <message>
            <source>Save testimony</source>
            <translation>Зберегти свідчення</translation>
        </message>
        <message>
            <source>Ctrl+Enter in the narrative also saves.</source>
            <translation>Ctrl+Enter у полі розповіді теж зберігає.</translation>
        </message>
        <message>
            <source>Form status</source>
            <translation>Стан форми</translation>
        </message>
        <message>
            <source>&amp;Title:</source>
            <translation>&amp;Назва:</translation>
        </message>
        <message>
            <source>&amp;Language:</source>
            <translation>&amp;Мова:</translation>
        </message>
        <message>
            <source>&amp;Narrative:</source>
            <translation>&amp;Розповідь:</translation>
        </message>
        <message>
            <source>(untitled testimony)</source>
            <translation>(свідчення без назви)</translation>
        </message>
        <message>
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <source>Choose or create a case first.</source>
            <translation>Спершу виберіть або створіть справу.</translation>
        </message>
        <message>
            <source>Write a title or a narrative first.</source>
            <translation>Спершу напишіть назву або розповідь.</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>Збережено.</translation>
        </message>
        <message>
            <source>No results.</source>
            <translation>Нічого не знайдено.</translation>
        </message>
        <message numerus="yes">
            <source>%n result(s)</source>
            <translation>
                <numerusform>%n результат</numerusform>
                <numerusform>%n результати</numerusform>
                <numerusform>%n результатів</numerusform>
            </translation>
        </message>
        <message>
            <source>Case</source>
            <translation>Справа</translation>
        </message>
    </context>
</TS>
