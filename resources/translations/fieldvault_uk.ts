<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk" sourcelanguage="en">
    <context>
        <name>AddDeviceDialog</name>
        <message>
            <location filename="../../desktop/org_add_device.py" line="121" />
            <source>Add a device</source>
            <translation>Додати пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="126" />
            <source>A field worker who joined shows their device card (fvd1.…; public keys only, nothing secret). Paste it or open the file they gave you. Then phone them or meet: the verification code below must be the same as the one their screen shows.</source>
            <translation>Польовий працівник, який приєднався, показує картку свого пристрою (fvd1.…; лише відкриті ключі, нічого секретного). Вставте її або відкрийте файл, який він вам дав. Потім зателефонуйте йому або зустріньтеся: код перевірки нижче має збігатися з тим, що показує його екран.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="132" />
            <source>Device card</source>
            <translation>Картка пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="132" />
            <source>fvd1.…</source>
            <translation>fvd1.…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="135" />
            <source>Open card file…</source>
            <translation>Відкрити файл картки…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="135" />
            <source>Open a device card file</source>
            <translation>Відкрити файл картки пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="140" />
            <source>Card:</source>
            <translation>Картка:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="143" />
            <source>Verification code</source>
            <translation>Код перевірки</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="149" />
            <location filename="../../desktop/org_add_device.py" line="150" />
            <source>I compared the code with the field worker: it matches</source>
            <translation>Код звірено з польовим працівником: він збігається</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="154" />
            <source>Label for the device</source>
            <translation>Позначка пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="154" />
            <source>a call sign or the laptop's name, not a person's name</source>
            <translation>позивний або назва ноутбука, а не ім’я людини</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="156" />
            <source>&amp;Label:</source>
            <translation>&amp;Позначка:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="158" />
            <source>Enrolment token</source>
            <translation>Токен реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="158" />
            <source>optional: the fvt1.… token the worker received</source>
            <translation>необов’язково: токен fvt1.…, який отримав працівник</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="160" />
            <source>&amp;Token:</source>
            <translation>&amp;Токен:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="161" />
            <location filename="../../desktop/org_add_device.py" line="162" />
            <source>Also make it a coordinator</source>
            <translation>Також зробити його координатором</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="165" />
            <source>A coordinator can read every bundle made from now on: bundles are encrypted to it too. Tick this only for a colleague's coordinator laptop.</source>
            <translation>Координатор може читати кожен пакет, створений відтепер: пакети шифруються й для нього. Позначайте це лише для координаторського ноутбука колеги.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="176" />
            <source>Add the device</source>
            <translation>Додати пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="179" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="185" />
            <source>Devices of the organisation</source>
            <translation>Пристрої організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="186" />
            <source>Device</source>
            <translation>Пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="186" />
            <source>Label</source>
            <translation>Позначка</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="186" />
            <source>Role</source>
            <translation>Роль</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="186" />
            <source>Status</source>
            <translation>Стан</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="190" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="197" />
            <source>coordinator</source>
            <translation>координатор</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="197" />
            <source>field device</source>
            <translation>польовий пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="198" />
            <source>enrolled</source>
            <translation>зареєстровано</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="198" />
            <source>revoked</source>
            <translation>відкликано</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="217" />
            <source>Open the device card</source>
            <translation>Відкрити картку пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="227" />
            <source>{name} could not be read ({reason}).</source>
            <translation>{name} не вдалося прочитати ({reason}).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="242" />
            <source>The verification code appears here once the card is pasted.</source>
            <translation>Код перевірки з’явиться тут, щойно картку буде вставлено.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="247" />
            <source>That is not a device card (fvd1.…, as Join shows it).</source>
            <translation>Це не картка пристрою (fvd1.…, як її показує вікно приєднання).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="251" />
            <source>Device {device}. Its verification code, to compare with the worker's screen:</source>
            <translation>Пристрій {device}. Його код перевірки, щоб звірити з екраном працівника:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="281" />
            <source>Adding the device…</source>
            <translation>Додавання пристрою…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="293" />
            <source>Device {device} added as a coordinator: bundles made from now on are encrypted to it too.</source>
            <translation>Пристрій {device} додано як координатора: пакети, створені відтепер, шифруються й для нього.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="296" />
            <source>Device {device} added: its bundles are accepted.</source>
            <translation>Пристрій {device} додано: його пакети приймаються.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="301" />
            <source>If the worker's code was not {code}, revoke this device.</source>
            <translation>Якщо код працівника був не {code}, відкличте цей пристрій.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="312" />
            <source>Sending the new profile to {url}…</source>
            <translation>Надсилання нового профілю на {url}…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="317" />
            <source>The device was not added.</source>
            <translation>Пристрій не додано.</translation>
        </message>
    </context>
    <context>
        <name>BackupAction</name>
        <message>
            <location filename="../../desktop/backup_action.py" line="148" />
            <source>This vault has never been backed up. Vault → Back up to USB… makes an encrypted copy.</source>
            <translation>Резервної копії цього сховища ще не було. Сховище → Резервна копія на USB… створює зашифровану копію.</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="152" />
            <source>The last backup is {days} days old. Vault → Back up to USB… makes a new one.</source>
            <translation>Останній резервній копії вже {days} дн. Сховище → Резервна копія на USB… створює нову.</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="171" />
            <source>&amp;Back up to USB…</source>
            <translation>&amp;Резервна копія на USB…</translation>
        </message>
    </context>
    <context>
        <name>BackupDialog</name>
        <message>
            <location filename="../../desktop/backup_action.py" line="80" />
            <source>Back up the vault</source>
            <translation>Резервна копія сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="83" />
            <source>A backup is an encrypted copy of the whole vault: every record and file. It opens only with this vault's passphrase or its recovery key. Choose a folder, for example on a USB stick; a new folder is made there and nothing in it is overwritten.</source>
            <translation>Резервна копія — це зашифрована копія всього сховища: усіх записів і файлів. Вона відкривається лише парольною фразою цього сховища або його ключем відновлення. Виберіть папку, наприклад на флешці USB; у ній буде створено нову папку, і нічого в ній не буде перезаписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="88" />
            <source>Choose a folder and back up…</source>
            <translation>Вибрати папку і створити копію…</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="89" />
            <source>Choose a folder and back up</source>
            <translation>Вибрати папку і створити копію</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="90" />
            <source>Cancel backup</source>
            <translation>Скасувати копіювання</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="94" />
            <source>Where to put the backup</source>
            <translation>Куди зберегти резервну копію</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="102" />
            <source>Backing up…</source>
            <translation>Створюється резервна копія…</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="107" />
            <source>Cancelling…</source>
            <translation>Скасування…</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="116" />
            <source>Backup written to {path}. It opens with this vault's passphrase or recovery key. Keep the stick somewhere safe, apart from this computer.</source>
            <translation>Резервну копію записано в {path}. Вона відкривається парольною фразою цього сховища або ключем відновлення. Зберігайте флешку в безпечному місці, окремо від цього комп'ютера.</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="121" />
            <source>{count} evidence file(s) were already missing from the vault and are not in the backup: run a check of the vault.</source>
            <translation>Файлів доказів, яких уже бракувало у сховищі і яких немає в копії: {count}. Перевірте сховище.</translation>
        </message>
        <message>
            <location filename="../../desktop/backup_action.py" line="126" />
            <source>Backup cancelled: the partial copy was removed.</source>
            <translation>Резервне копіювання скасовано: неповну копію видалено.</translation>
        </message>
    </context>
    <context>
        <name>BundleExportDialog</name>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="387" />
            <source>Export bundle to USB</source>
            <translation>Експорт пакета на USB</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="391" />
            <source>A bundle holds everything this device recorded that your organisation has not received yet, encrypted so that only its coordinators can read it. Whoever copies the stick learns nothing from it. Take it to your coordinator.</source>
            <translation>Пакет містить усе, що цей пристрій записав і чого ваша організація ще не отримала, зашифроване так, що прочитати його можуть лише її координатори. Хто скопіює флешку, нічого з неї не дізнається. Передайте її своєму координаторові.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="399" />
            <source>Folder for the bundle</source>
            <translation>Тека для пакета</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="400" />
            <source>a folder on the USB stick</source>
            <translation>тека на USB-флешці</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="401" />
            <source>Choose folder…</source>
            <translation>Вибрати теку…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="402" />
            <source>Choose the folder for the bundle</source>
            <translation>Виберіть теку для пакета</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="406" />
            <source>Bundle progress</source>
            <translation>Хід створення пакета</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="408" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="411" />
            <source>Write the bundle</source>
            <translation>Записати пакет</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="414" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="414" />
            <source>Cancel the bundle</source>
            <translation>Скасувати пакет</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="416" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="423" />
            <source>Choose a folder (for example on a USB stick) first.</source>
            <translation>Спершу виберіть теку (наприклад, на USB-флешці).</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="428" />
            <source>Writing the bundle…</source>
            <translation>Записування пакета…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="435" />
            <source>Stopping…</source>
            <translation>Зупинення…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="458" />
            <source>Bundle {sequence} written: {name}
{revisions} record changes, {custody} custody events, {files} evidence files.
Eject the stick safely before you unplug it; the next bundle will hold only what is new.</source>
            <translation>Пакет {sequence} записано: {name}
Змін записів: {revisions}, подій ланцюга зберігання: {custody}, файлів доказів: {files}.
Безпечно вийміть флешку, перш ніж від'єднати її; наступний пакет міститиме лише нове.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="472" />
            <source>Cancelled. No bundle was written and nothing in the vault changed.</source>
            <translation>Скасовано. Пакет не записано, і в сховищі нічого не змінилося.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="481" />
            <source>No bundle was written; the vault is as it was.</source>
            <translation>Пакет не записано; сховище залишилося як було.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="491" />
            <source>%n record change(s) left out: signed by a device your organisation revoked, or edits of its records. The other coordinators do not take them.</source>
            <translation>
                <numerusform>Пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів). Інші координатори їх не беруть.</numerusform>
                <numerusform>Пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів). Інші координатори їх не беруть.</numerusform>
                <numerusform>Пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів). Інші координатори їх не беруть.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>BundleImportDialog</name>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="63" />
            <source>Fieldvault bundles (*.fvbundle);;All files (*)</source>
            <translation>Пакети Fieldvault (*.fvbundle);;Усі файли (*)</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="522" />
            <source>Import bundles</source>
            <translation>Імпорт пакетів</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="526" />
            <source>Each bundle is checked (sender, signatures, contents) and imported whole or not at all. A bundle imported before changes nothing; a refused one leaves nothing behind.</source>
            <translation>Кожен пакет перевіряється (відправник, підписи, вміст) і імпортується повністю або зовсім ні. Уже імпортований пакет нічого не змінює; відхилений нічого по собі не залишає.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="531" />
            <source>Bundles and what happened to each</source>
            <translation>Пакети і що сталося з кожним</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="532" />
            <source>Bundle</source>
            <translation>Пакет</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="532" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="533" />
            <source>Result of the chosen bundle</source>
            <translation>Результат вибраного пакета</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="540" />
            <source>Verification code read out by the worker</source>
            <translation>Код перевірки, який зачитав працівник</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="541" />
            <source>the worker's verification code: 00000 00000 00000 …</source>
            <translation>код перевірки працівника: 00000 00000 00000 …</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="545" />
            <source>Approve and import</source>
            <translation>Схвалити й імпортувати</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="546" />
            <source>Approve the device and import its bundle</source>
            <translation>Схвалити пристрій та імпортувати його пакет</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="556" />
            <source>Progress of the current bundle</source>
            <translation>Хід поточного пакета</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="558" />
            <source>Summary</source>
            <translation>Підсумок</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="561" />
            <source>Choose bundles…</source>
            <translation>Вибрати пакети…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="561" />
            <location filename="../../desktop/bundle_actions.py" line="596" />
            <source>Choose bundle files</source>
            <translation>Виберіть файли пакетів</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="564" />
            <source>Import</source>
            <translation>Імпортувати</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="564" />
            <source>Import the bundles</source>
            <translation>Імпортувати пакети</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="570" />
            <source>Re-read</source>
            <translation>Перечитати</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="571" />
            <source>Read bundles this desk received before again and apply what it lacks</source>
            <translation>Перечитати пакети, які цей стіл уже отримав, і застосувати те, чого йому бракує</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="577" />
            <source>For a bundle this desk already received (a history hand-over recorded it) whose record changes it lacks: every check of an import runs again, and only what is missing here is applied.</source>
            <translation>Для пакета, який цей стіл уже отримав (його записала передача історії), але зміни записів з якого тут відсутні: усі перевірки імпорту виконуються знову, і застосовується лише те, чого тут бракує.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="584" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="584" />
            <source>Cancel the import</source>
            <translation>Скасувати імпорт</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="586" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="604" />
            <location filename="../../desktop/bundle_actions.py" line="631" />
            <location filename="../../desktop/bundle_actions.py" line="718" />
            <source>waiting</source>
            <translation>очікує</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="617" />
            <location filename="../../desktop/bundle_actions.py" line="981" />
            <source>Importing…</source>
            <translation>Імпортування…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="624" />
            <source>Re-reading…</source>
            <translation>Перечитування…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="645" />
            <source>Stopping…</source>
            <translation>Зупинення…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="672" />
            <source>Bundle {sequence} of device {device}, held in quarantine, was not imported after its device was vouched for: it was passed over, not tried now, after failing %n time(s) in a row on this computer ({reason}). It was not refused and its file is kept. Import the bundle file again once the cause is dealt with.</source>
            <translation>
                <numerusform>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано після того, як за його пристрій поручилися: його пропущено й цього разу не пробували, бо імпорт не вдався на цьому комп’ютері ({reason}) %n раз поспіль. Його не відхилено, і його файл збережено. Імпортуйте файл пакета ще раз, щойно причину усунуто.</numerusform>
                <numerusform>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано після того, як за його пристрій поручилися: його пропущено й цього разу не пробували, бо імпорт не вдався на цьому комп’ютері ({reason}) %n рази поспіль. Його не відхилено, і його файл збережено. Імпортуйте файл пакета ще раз, щойно причину усунуто.</numerusform>
                <numerusform>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано після того, як за його пристрій поручилися: його пропущено й цього разу не пробували, бо імпорт не вдався на цьому комп’ютері ({reason}) %n разів поспіль. Його не відхилено, і його файл збережено. Імпортуйте файл пакета ще раз, щойно причину усунуто.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="686" />
            <location filename="../../desktop/bundle_actions.py" line="718" />
            <location filename="../../desktop/bundle_actions.py" line="978" />
            <source>checking and importing…</source>
            <translation>перевірка й імпорт…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="663" />
            <source>Bundle {sequence} of device {device}, held in quarantine, was not imported after its device was vouched for: importing it failed on this computer ({reason}), %n time(s) in a row. It was not refused and its file is kept. Import the bundle file again once the cause is dealt with.</source>
            <translation>
                <numerusform>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано після того, як за його пристрій поручилися: імпорт не вдався на цьому комп’ютері ({reason}), %n раз поспіль. Його не відхилено, і його файл збережено. Імпортуйте файл пакета ще раз, щойно причину усунуто.</numerusform>
                <numerusform>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано після того, як за його пристрій поручилися: імпорт не вдався на цьому комп’ютері ({reason}), %n рази поспіль. Його не відхилено, і його файл збережено. Імпортуйте файл пакета ще раз, щойно причину усунуто.</numerusform>
                <numerusform>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано після того, як за його пристрій поручилися: імпорт не вдався на цьому комп’ютері ({reason}), %n разів поспіль. Його не відхилено, і його файл збережено. Імпортуйте файл пакета ще раз, щойно причину усунуто.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="700" />
            <source>Bundle {sequence} of device {device}, held in quarantine, was refused when imported after its device was vouched for ({reason}); nothing of it was applied. It stays held: keep the file aside and report it.</source>
            <translation>Пакет {sequence} пристрою {device}, утримуваний у карантині, відхилено під час імпорту після того, як за його пристрій поручилися ({reason}); нічого з нього не застосовано. Він і далі утримується: відкладіть файл і повідомте про це.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="708" />
            <source>Bundle {sequence} of device {device}, held in quarantine, was not imported although its device is now vouched for: the file it was imported from ({path}) is gone or is another file. Import the bundle file again.</source>
            <translation>Пакет {sequence} пристрою {device}, утримуваний у карантині, не імпортовано, хоча за його пристрій тепер поручилися: файлу, з якого його імпортували ({path}), немає або це вже інший файл. Імпортуйте файл пакета ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="719" />
            <source>not imported (stopped); nothing of it was applied</source>
            <translation>не імпортовано (зупинено); нічого з нього не застосовано</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="728" />
            <source>Stopped. The bundles marked imported are in the vault; import the others again.</source>
            <translation>Зупинено. Пакети, позначені як імпортовані, є у сховищі; інші імпортуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="748" />
            <source>received before on a history hand-over's word (bundle {sequence} of device {device}), but its device is pending here and its changes are kept aside. Phone the worker, ask for the verification code their vault shows, type it below and approve.</source>
            <translation>отримано раніше за словом передачі історії (пакет {sequence} пристрою {device}), але його пристрій тут очікує, і його зміни відкладено. Зателефонуйте працівникові, попросіть код перевірки, який показує його сховище, введіть його нижче і схваліть.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="825" />
            <source>received before (bundle {sequence} of device {device}); its device is enrolled now</source>
            <translation>отримано раніше (пакет {sequence} пристрою {device}); його пристрій тепер зареєстровано</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="829" />
            <source>; %n record change(s) kept aside until then stored now</source>
            <translation>
                <numerusform>; змін записів, відкладених досі, збережено тепер: %n</numerusform>
                <numerusform>; змін записів, відкладених досі, збережено тепер: %n</numerusform>
                <numerusform>; змін записів, відкладених досі, збережено тепер: %n</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="865" />
            <source>; %n custody event(s) of device {device} not taken: the vouch for it lapsed here (each checked with its key, none stored); its own bundles bring them once it is enrolled again (add it by its card, or approve its bundle by code)</source>
            <translation>
                <numerusform>; %n подію ланцюга зберігання пристрою {device} не прийнято: поручительство за нього тут втратило силу (її перевірено його ключем і не збережено); його власні пакети принесуть її, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом)</numerusform>
                <numerusform>; %n події ланцюга зберігання пристрою {device} не прийнято: поручительство за нього тут втратило силу (кожну перевірено його ключем, жодну не збережено); його власні пакети принесуть їх, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом)</numerusform>
                <numerusform>; %n подій ланцюга зберігання пристрою {device} не прийнято: поручительство за нього тут втратило силу (кожну перевірено його ключем, жодну не збережено); його власні пакети принесуть їх, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="883" />
            <source>; evidence files a worker's signed manifest names that did not come and are not stored here: {files} (re-reading brings them too)</source>
            <translation>; файли доказів, які називає підписаний маніфест працівника, що не надійшли і не зберігаються тут: {files} (повторне читання теж приносить їх)</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="918" />
            <source>; %n record change(s) waiting until the changes they follow arrive (or are left out)</source>
            <translation>
                <numerusform>; чекають змін записів: %n (до надходження змін, за якими вони йдуть, або до їх пропуску)</numerusform>
                <numerusform>; чекають змін записів: %n (до надходження змін, за якими вони йдуть, або до їх пропуску)</numerusform>
                <numerusform>; чекають змін записів: %n (до надходження змін, за якими вони йдуть, або до їх пропуску)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="840" />
            <source>re-read: bundle {sequence} of device {device}: nothing new, this desk holds everything it carries</source>
            <translation>перечитано: пакет {sequence} пристрою {device}: нічого нового, цей стіл має все, що в ньому є</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="846" />
            <source>re-read: bundle {sequence} of device {device}: {revisions} record changes and {files} evidence files applied that this desk lacked; {held} of its {total} record changes were here already</source>
            <translation>перечитано: пакет {sequence} пристрою {device}: застосовано змін записів, яких бракувало цьому столу: {revisions}, файлів доказів: {files}; змін записів, що вже були тут: {held} з {total}</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="891" />
            <source>; INCOMPLETE history hand-over from desk {maker}: record changes a worker's signed manifest names that did not come: {missing}; worker manifests that did not verify: {unverifiable}; worker bundles that came unchecked: {unchecked}. The rest was imported. Coordinator → Devices… lists them; re-reading the worker's own file of such a bundle (Re-read) brings what is missing</source>
            <translation>; НЕПОВНА передача історії від робочого місця {maker}: змін записів, які називає підписаний маніфест працівника, але які не надійшли: {missing}; маніфестів працівників, що не пройшли перевірку: {unverifiable}; пакетів працівників, що надійшли неперевіреними: {unchecked}. Решту імпортовано. Координатор → Пристрої… перелічує їх; перечитування власного файлу працівника з таким пакетом (Перечитати) приносить те, чого бракує</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="936" />
            <source>; %n waiting record change(s) no longer check out: kept waiting, not stored; run fieldvault verify</source>
            <translation>
                <numerusform>; %n зміна запису, що чекає, більше не проходить перевірку: вона й далі чекає, її не збережено; запустіть fieldvault verify</numerusform>
                <numerusform>; %n зміни записів, що чекають, більше не проходять перевірку: вони й далі чекають, їх не збережено; запустіть fieldvault verify</numerusform>
                <numerusform>; %n змін записів, що чекають, більше не проходять перевірку: вони й далі чекають, їх не збережено; запустіть fieldvault verify</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="726" />
            <source>Done. Bundles that were refused can be kept aside and reported.</source>
            <translation>Готово. Відхилені пакети можна відкласти й повідомити про них.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="819" />
            <source>already imported (bundle {sequence} of device {device}): nothing to do</source>
            <translation>уже імпортовано (пакет {sequence} пристрою {device}): нічого робити</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="757" />
            <source>imported from your coordinator (device {device}): {revisions} record changes (edits, resolved conflicts), {files} evidence files, {vouched} other device(s) vouched for</source>
            <translation>імпортовано від вашого координатора (пристрій {device}): змін записів (правки, розв'язані конфлікти): {revisions}, файлів доказів: {files}, інших пристроїв, за які поручився координатор: {vouched}</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="768" />
            <source>imported: bundle {sequence} of device {device}, {revisions} record changes, {custody} custody events, {files} evidence files</source>
            <translation>імпортовано: пакет {sequence} пристрою {device}, змін записів: {revisions}, подій ланцюга зберігання: {custody}, файлів доказів: {files}</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="779" />
            <source>; bundles {first} to {last} of this device have not arrived yet: ask for them</source>
            <translation>; пакети з {first} по {last} цього пристрою ще не надійшли: попросіть їх</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="911" />
            <source>; %n record change(s) left out: signed by a device your organisation revoked, or edits of its records</source>
            <translation>
                <numerusform>; пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів)</numerusform>
                <numerusform>; пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів)</numerusform>
                <numerusform>; пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="786" />
            <source>not taken: it does not come from your organisation's coordinator, and nothing of it was stored. Take bundles only from your coordinator, and tell them about this one.</source>
            <translation>не прийнято: пакет надійшов не від координатора вашої організації, і з нього нічого не збережено. Приймайте пакети лише від свого координатора і повідомте йому про цей.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="795" />
            <source>held in quarantine: {reason} Phone the worker, ask for the verification code their vault shows, type it below and approve.</source>
            <translation>утримується в карантині: {reason} Зателефонуйте працівникові, попросіть код перевірки, який показує його сховище, введіть його нижче та схваліть.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="802" />
            <source>not imported: {reason}</source>
            <translation>не імпортовано: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="806" />
            <source>refused: {reason}</source>
            <translation>відхилено: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="808" />
            <source>could not be read ({reason}); nothing of it was applied</source>
            <translation>не вдалося прочитати ({reason}); нічого з нього не застосовано</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="930" />
            <source>; %n record change(s) that waited for their parents stored now</source>
            <translation>
                <numerusform>; %n зміну запису, що чекала на свої батьківські зміни, тепер збережено</numerusform>
                <numerusform>; %n зміни записів, що чекали на свої батьківські зміни, тепер збережено</numerusform>
                <numerusform>; %n змін записів, що чекали на свої батьківські зміни, тепер збережено</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="943" />
            <source>; %n record change(s) left out: the signer's parked slots are full</source>
            <translation>
                <numerusform>; %n зміну запису пропущено: місця для відкладених змін того, хто її підписав, заповнені</numerusform>
                <numerusform>; %n зміни записів пропущено: місця для відкладених змін того, хто їх підписав, заповнені</numerusform>
                <numerusform>; %n змін записів пропущено: місця для відкладених змін того, хто їх підписав, заповнені</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="949" />
            <source>; %n record change(s) kept aside: the vouch for their device lapsed; stored once it is enrolled again (add it by its card, or approve its bundle by code)</source>
            <translation>
                <numerusform>; %n зміну запису відкладено: поручительство за її пристрій втратило силу; її буде збережено, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом)</numerusform>
                <numerusform>; %n зміни записів відкладено: поручительство за їхній пристрій втратило силу; їх буде збережено, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом)</numerusform>
                <numerusform>; %n змін записів відкладено: поручительство за їхній пристрій втратило силу; їх буде збережено, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/bundle_actions.py" line="956" />
            <source>; %n record change(s) left out: their record is held here as another type</source>
            <translation>
                <numerusform>; %n зміну запису пропущено: її запис зберігається тут як інший тип</numerusform>
                <numerusform>; %n зміни записів пропущено: їхній запис зберігається тут як інший тип</numerusform>
                <numerusform>; %n змін записів пропущено: їхній запис зберігається тут як інший тип</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="975" />
            <source>Type the verification code the worker reads out to you.</source>
            <translation>Введіть код перевірки, який вам зачитує працівник.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1001" />
            <source>Approved: the device is enrolled and its bundle imported.</source>
            <translation>Схвалено: пристрій зареєстровано, а його пакет імпортовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1006" />
            <source>still held in quarantine; nothing of it was applied</source>
            <translation>досі в карантині; нічого з нього не застосовано</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1007" />
            <source>Stopped; the bundle is still held.</source>
            <translation>Зупинено; пакет досі в карантині.</translation>
        </message>
    </context>
    <context>
        <name>CaseList</name>
        <message>
            <location filename="../../desktop/case_list.py" line="56" />
            <location filename="../../desktop/case_list.py" line="64" />
            <source>Cases</source>
            <translation>Справи</translation>
        </message>
        <message>
            <location filename="../../desktop/case_list.py" line="58" />
            <source>Title of a new case</source>
            <translation>Назва нової справи</translation>
        </message>
        <message>
            <location filename="../../desktop/case_list.py" line="59" />
            <source>New case title</source>
            <translation>Назва нової справи</translation>
        </message>
        <message>
            <location filename="../../desktop/case_list.py" line="60" />
            <location filename="../../desktop/case_list.py" line="61" />
            <source>New case</source>
            <translation>Нова справа</translation>
        </message>
    </context>
    <context>
        <name>ConflictsDialog</name>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="332" />
            <source>Conflicts</source>
            <translation>Конфлікти</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="337" />
            <source>Records that two devices changed without seeing each other's change. Both versions are kept and signed. Choose one, compare its versions field by field, pick a value for each highlighted field, and save: that writes one new version, signed by this device, which replaces them all and syncs like any change.</source>
            <translation>Записи, які два пристрої змінили, не бачачи змін один одного. Обидві версії збережено й підписано. Виберіть запис, порівняйте його версії поле за полем, виберіть значення для кожного виділеного поля й збережіть: це запише одну нову версію, підписану цим пристроєм, яка замінить їх усі й синхронізується, як будь-яка зміна.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="348" />
            <source>Type</source>
            <translation>Тип</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="348" />
            <source>Record</source>
            <translation>Запис</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="348" />
            <source>Versions</source>
            <translation>Версії</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="348" />
            <source>Written on</source>
            <translation>Записано на</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="350" />
            <source>Records in conflict</source>
            <translation>Записи в конфлікті</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="359" />
            <source>Show sensitive details</source>
            <translation>Показати чутливі дані</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="363" />
            <source>≠ on a yellow background: the versions differ. In long texts, words only in the left version are struck through on red and marked [-like this-]; words only in the right version are underlined on green and marked {+like this+}.</source>
            <translation>≠ на жовтому тлі: версії відрізняються. У довгих текстах слова, які є лише в лівій версії, перекреслено на червоному тлі й позначено [-ось так-]; слова, які є лише в правій версії, підкреслено на зеленому тлі й позначено {+ось так+}.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="398" />
            <source>Save resolution</source>
            <translation>Зберегти розв’язання</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="400" />
            <source>Keep it deleted</source>
            <translation>Залишити видаленим</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="402" />
            <source>One device deleted this record while another changed it: delete it for good.</source>
            <translation>Один пристрій видалив цей запис, поки інший його змінював: видалити його остаточно.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="405" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="471" />
            <source>No record is in conflict.</source>
            <translation>Жоден запис не перебуває в конфлікті.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="475" />
            <source>case</source>
            <translation>справа</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="476" />
            <source>incident</source>
            <translation>інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="477" />
            <source>person</source>
            <translation>особа</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="478" />
            <source>testimony</source>
            <translation>свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="479" />
            <source>link</source>
            <translation>зв’язок</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="480" />
            <source>evidence</source>
            <translation>доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="481" />
            <source>consent</source>
            <translation>згода</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="487" />
            <source>this device</source>
            <translation>цей пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="490" />
            <source>device {id}</source>
            <translation>пристрій {id}</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="520" />
            <source>Conflicts of this kind of record ({kind}) are not resolved here yet.</source>
            <translation>Конфлікти записів цього типу ({kind}) тут поки що не розв’язуються.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="550" />
            <source>{kind} “{label}”: {count} versions</source>
            <translation>{kind} «{label}», версій: {count}</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="556" />
            <source>Field</source>
            <translation>Поле</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="560" />
            <source>Your edit</source>
            <translation>Ваша правка</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="582" />
            <source>Version {n}: {device}, {when}</source>
            <translation>Версія {n}: {device}, {when}</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="586" />
            <source>(deleted on that device)</source>
            <translation>(видалено на тому пристрої)</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="591" />
            <source>Title</source>
            <translation>Назва</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="592" />
            <source>Case</source>
            <translation>Справа</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="593" />
            <source>Incident</source>
            <translation>Інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="594" />
            <source>Witness</source>
            <translation>Свідок</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="595" />
            <source>Interviewer</source>
            <translation>Інтерв’юер</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="596" />
            <source>Language</source>
            <translation>Мова</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="597" />
            <source>Interpreter</source>
            <translation>Перекладач</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="598" />
            <source>Consent</source>
            <translation>Згода</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="599" />
            <source>Interview date</source>
            <translation>Дата інтерв’ю</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="600" />
            <source>Interview place</source>
            <translation>Місце інтерв’ю</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="601" />
            <source>Violation types</source>
            <translation>Види порушень</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="602" />
            <source>Narrative</source>
            <translation>Розповідь</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="603" />
            <source>Notes</source>
            <translation>Примітки</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="604" />
            <source>Description</source>
            <translation>Опис</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="605" />
            <source>Date</source>
            <translation>Дата</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="606" />
            <source>Date precision</source>
            <translation>Точність дати</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="607" />
            <source>Place</source>
            <translation>Місце</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="608" />
            <source>Place precision</source>
            <translation>Точність місця</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="609" />
            <source>Latitude</source>
            <translation>Широта</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="610" />
            <source>Longitude</source>
            <translation>Довгота</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="611" />
            <source>Name</source>
            <translation>Ім’я</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="612" />
            <source>Pseudonym</source>
            <translation>Псевдонім</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="613" />
            <source>Roles</source>
            <translation>Ролі</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="614" />
            <source>Sensitive details</source>
            <translation>Чутливі дані</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="615" />
            <source>From</source>
            <translation>Від</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="616" />
            <source>To</source>
            <translation>До</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="617" />
            <source>Relation</source>
            <translation>Зв’язок</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="636" />
            <source>The versions differ</source>
            <translation>Версії відрізняються</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="649" />
            <source>Keep this</source>
            <translation>Залишити це</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="651" />
            <source>Keep version {n} of {field}</source>
            <translation>Залишити версію {n} поля «{field}»</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="666" />
            <source>Edit</source>
            <translation>Змінити</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="667" />
            <source>Edit {field}</source>
            <translation>Змінити поле «{field}»</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="677" />
            <source>Your edit of {field}</source>
            <translation>Ваша правка поля «{field}»</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="689" />
            <source>(deleted)</source>
            <translation>(видалено)</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="695" />
            <source>Hidden ({count} details)</source>
            <translation>Приховано (записів: {count})</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="706" />
            <source>{field} in version {n}, with the differences marked</source>
            <translation>{field} у версії {n}, з позначеними відмінностями</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="742" />
            <source>Choose a version or an edit for each field marked ≠ ({count} left).</source>
            <translation>Виберіть версію або власну правку для кожного поля, позначеного ≠ (залишилося: {count}).</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="784" />
            <source>Saving…</source>
            <translation>Збереження…</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="796" />
            <source>Resolved: one new version, signed by this device, replaces the conflicting ones.</source>
            <translation>Розв’язано: одна нова версія, підписана цим пристроєм, замінює конфліктні.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="803" />
            <source>Not saved: another version of this record arrived meanwhile. Its versions are shown again; choose again.</source>
            <translation>Не збережено: тим часом надійшла ще одна версія цього запису. Його версії показано знову; виберіть ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/conflicts_view.py" line="817" />
            <source>Conflicts…</source>
            <translation>Конфлікти…</translation>
        </message>
    </context>
    <context>
        <name>Consent</name>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="42" />
            <source>documentation only</source>
            <translation>лише документування</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="43" />
            <source>the NGO internally</source>
            <translation>внутрішньо в НУО</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="44" />
            <source>prosecution</source>
            <translation>кримінальне переслідування</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="45" />
            <source>public anonymised</source>
            <translation>публічно, анонімізовано</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="51" />
            <source>spoken and recorded</source>
            <translation>усно, із записом</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="52" />
            <source>signed on paper and photographed</source>
            <translation>підписано на папері й сфотографовано</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="55" />
            <source>signed on paper</source>
            <translation>підписано на папері</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="56" />
            <source>spoken before a witness</source>
            <translation>усно, у присутності свідка</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="57" />
            <source>other</source>
            <translation>інше</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="72" />
            <source>Agreed: {scopes}</source>
            <translation>Погоджено: {scopes}</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="73" />
            <source>nothing (withdrawn)</source>
            <translation>нічого (відкликано)</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="76" />
            <source>given {date}</source>
            <translation>надано {date}</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="78" />
            <source>Withdrawn: {scopes}</source>
            <translation>Відкликано: {scopes}</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="95" />
            <source>Consent status</source>
            <translation>Стан згоди</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="99" />
            <source>Saving…</source>
            <translation>Зберігається…</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="112" />
            <source>Not saved: {reason}</source>
            <translation>Не збережено: {reason}</translation>
        </message>
    </context>
    <context>
        <name>ConsentDialog</name>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="126" />
            <location filename="../../desktop/consent_dialog.py" line="161" />
            <source>Record consent</source>
            <translation>Записати згоду</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="128" />
            <source>The witness agreed this testimony may be used for</source>
            <translation>Свідок погодився, що це свідчення можна використати для</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="135" />
            <source>How consent was given</source>
            <translation>Як надано згоду</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="139" />
            <source>When consent was given</source>
            <translation>Коли надано згоду</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="140" />
            <source>YYYY, YYYY-MM or YYYY-MM-DD</source>
            <translation>РРРР, РРРР-ММ або РРРР-ММ-ДД</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="143" />
            <source>To whom consent was given</source>
            <translation>Кому надано згоду</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="145" />
            <source>Consent text version read out</source>
            <translation>Версія зачитаного тексту згоди</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="146" />
            <source>e.g. uk-v3</source>
            <translation>напр. uk-v3</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="147" />
            <source>The witness stays anonymous</source>
            <translation>Свідок залишається анонімним</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="148" />
            <source>No photos of the witness</source>
            <translation>Без фотографій свідка</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="150" />
            <source>Other conditions</source>
            <translation>Інші умови</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="154" />
            <source>&amp;How given:</source>
            <translation>&amp;Як надано:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="155" />
            <source>&amp;When:</source>
            <translation>&amp;Коли:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="156" />
            <source>&amp;To whom:</source>
            <translation>К&amp;ому:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="157" />
            <source>Consent te&amp;xt version:</source>
            <translation>Версія &amp;тексту згоди:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="160" />
            <source>Other &amp;conditions:</source>
            <translation>Інші &amp;умови:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="163" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="192" />
            <source>Tick at least one use the witness agreed to.</source>
            <translation>Позначте хоча б одне використання, на яке свідок погодився.</translation>
        </message>
    </context>
    <context>
        <name>ConsentSection</name>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="278" />
            <source>Consent records</source>
            <translation>Записи згоди</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="285" />
            <source>What the consent allows</source>
            <translation>Що дозволяє згода</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="287" />
            <source>Withdrawn consent</source>
            <translation>Відкликана згода</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="290" />
            <source>Consent records of this testimony</source>
            <translation>Записи згоди цього свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="292" />
            <source>Record consent…</source>
            <translation>Записати згоду…</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="293" />
            <source>Withdraw or narrow…</source>
            <translation>Відкликати чи звузити…</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="316" />
            <source>Save the testimony first; then record the witness's consent.</source>
            <translation>Спершу збережіть свідчення; потім запишіть згоду свідка.</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="328" />
            <source>No consent recorded yet.</source>
            <translation>Згоду ще не записано.</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="331" />
            <source>May be used for: {scopes}</source>
            <translation>Можна використати для: {scopes}</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="332" />
            <source>nothing</source>
            <translation>нічого</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="337" />
            <source>Consent withdrawn for: {scopes}</source>
            <translation>Згоду відкликано для: {scopes}</translation>
        </message>
    </context>
    <context>
        <name>CoordinatorMenu</name>
        <message>
            <location filename="../../desktop/coordinator_menu.py" line="87" />
            <source>&amp;Coordinator</source>
            <translation>&amp;Координатор</translation>
        </message>
    </context>
    <context>
        <name>CreateOrganisationDialog</name>
        <message>
            <location filename="../../desktop/org_admin.py" line="275" />
            <source>Create an organisation</source>
            <translation>Створити організацію</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="280" />
            <source>New organisation</source>
            <translation>Нова організація</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="283" />
            <source>This vault becomes the organisation's first coordinator: it keeps the organisation key, and the bundles field workers send are encrypted to its coordinators only. Create an organisation once; every other laptop joins it.</source>
            <translation>Це сховище стане першим координатором організації: воно зберігає ключ організації, а пакети, які надсилають польові працівники, шифруються лише для її координаторів. Організацію створюють один раз; усі інші ноутбуки приєднуються до неї.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="289" />
            <source>Organisation name</source>
            <translation>Назва організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="289" />
            <source>for example: Kharkiv documentation group</source>
            <translation>наприклад: Харківська група документування</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="291" />
            <source>&amp;Name:</source>
            <translation>&amp;Назва:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="293" />
            <source>Field workers' laptops delete evidence files the server has received</source>
            <translation>Ноутбуки польових працівників видаляють файли-докази, які сервер уже отримав</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="295" />
            <source>Purge after delivery</source>
            <translation>Видаляти після доставки</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="299" />
            <source>Tick this if a laptop that is seized or lost should carry as little as possible: once the organisation's server has confirmed with its signed receipt that it holds a worker's bundle, their laptop deletes its copy of the evidence files that bundle carried. The records, the files' fingerprints and the chain of custody stay. Leave it unticked if workers need the files themselves afterwards. Files carried only by USB stick are never deleted (a stick gives no receipt).</source>
            <translation>Позначте це, якщо вилучений або загублений ноутбук має містити якомога менше: щойно сервер організації підтвердить своєю підписаною квитанцією, що отримав пакет працівника, його ноутбук видаляє свою копію файлів-доказів, які були в цьому пакеті. Записи, відбитки файлів і ланцюг зберігання залишаються. Не позначайте, якщо працівникам самим потрібні ці файли й потім. Файли, передані лише на USB-флешці, ніколи не видаляються (флешка не дає квитанції).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="308" />
            <source>Server address</source>
            <translation>Адреса сервера</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="308" />
            <source>optional: https://…</source>
            <translation>необов’язково: https://…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="309" />
            <source>&amp;Server:</source>
            <translation>&amp;Сервер:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="311" />
            <source>Server certificate fingerprint</source>
            <translation>Відбиток сертифіката сервера</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="312" />
            <source>its certificate's SHA-256 (64 hex digits)</source>
            <translation>SHA-256 його сертифіката (64 шістнадцяткові цифри)</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="315" />
            <source>&amp;Certificate:</source>
            <translation>Се&amp;ртифікат:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="317" />
            <source>Server receipt key</source>
            <translation>Ключ квитанцій сервера</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="318" />
            <source>optional: its receipt key (base64); asked of the server when empty</source>
            <translation>необов’язково: його ключ квитанцій (base64); якщо порожньо, його запитують у сервера</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="321" />
            <source>&amp;Receipt key:</source>
            <translation>Ключ &amp;квитанцій:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="323" />
            <source>Leave these empty to work by USB stick only; a server can be named later (fieldvault org set-server). Its certificate fingerprint and receipt key are what `fieldvault serve --init` printed: devices then talk to that server only, and trust only its receipts.</source>
            <translation>Залиште ці поля порожніми, щоб працювати лише через USB-флешку; сервер можна вказати пізніше (fieldvault org set-server). Відбиток його сертифіката й ключ квитанцій — це те, що вивела команда `fieldvault serve --init`: тоді пристрої спілкуються лише з цим сервером і довіряють лише його квитанціям.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="331" />
            <location filename="../../desktop/org_admin.py" line="332" />
            <source>Create the organisation</source>
            <translation>Створити організацію</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="336" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="340" />
            <source>Your organisation</source>
            <translation>Ваша організація</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="344" />
            <source>Sending the profile to the server</source>
            <translation>Надсилання профілю на сервер</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="346" />
            <location filename="../../desktop/org_admin.py" line="347" />
            <source>Organisation fingerprint</source>
            <translation>Відбиток організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="351" />
            <source>Tell each field worker this fingerprint in person or by phone, never in the same message or on the same stick as the profile: that is how their laptop knows the profile is yours. Give them the profile as a QR code (Coordinator → Issue enrolment token…) or as a file (Save the profile file…). When they have joined, add their device card (Coordinator → Add a device…) and compare the verification code.</source>
            <translation>Повідомте цей відбиток кожному польовому працівникові особисто або телефоном, ніколи не в тому самому повідомленні чи на тій самій флешці, що й профіль: так їхній ноутбук знає, що профіль ваш. Передайте їм профіль як QR-код (Координатор → Видати токен реєстрації…) або як файл (Зберегти файл профілю…). Коли вони приєднаються, додайте картку їхнього пристрою (Координатор → Додати пристрій…) і звірте код перевірки.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="361" />
            <source>Save the profile file…</source>
            <translation>Зберегти файл профілю…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="362" />
            <source>Save the organisation profile file</source>
            <translation>Зберегти файл профілю організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="373" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="379" />
            <source>Type the organisation's name.</source>
            <translation>Введіть назву організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="386" />
            <source>A server needs both its address and its certificate fingerprint (or leave both empty).</source>
            <translation>Для сервера потрібні і його адреса, і відбиток його сертифіката (або залиште обидва поля порожніми).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="412" />
            <source>Asking {url} for its receipt key…</source>
            <translation>Запит ключа квитанцій у {url}…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="424" />
            <source>{url} could not be asked for its receipt key ({state}): the profile does not pin it, and devices will trust the key they see first. Pin it later with fieldvault org set-server --receipt-key (fieldvault serve --init printed it).</source>
            <translation>Не вдалося запитати в {url} його ключ квитанцій ({state}): профіль його не закріплює, і пристрої довірятимуть ключу, який побачать першим. Закріпіть його пізніше командою fieldvault org set-server --receipt-key (його вивела fieldvault serve --init).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="431" />
            <source>Creating the organisation…</source>
            <translation>Створення організації…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="450" />
            <source>Organisation {name} created; this vault is its coordinator.</source>
            <translation>Організацію {name} створено; це сховище — її координатор.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="457" />
            <source>Sending the profile to {url}…</source>
            <translation>Надсилання профілю на {url}…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="471" />
            <source>Choose the folder for the profile file</source>
            <translation>Виберіть теку для файлу профілю</translation>
        </message>
    </context>
    <context>
        <name>CreateVaultPage</name>
        <message>
            <location filename="../../desktop/unlock.py" line="327" />
            <source>Create a vault</source>
            <translation>Створення сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="330" />
            <source>There is no vault in {folder} yet. Choose a passphrase of at least {count} characters. A long sentence that only you know is best.</source>
            <translation>У теці {folder} ще немає сховища. Виберіть парольну фразу щонайменше з {count} символів. Найкраще — довге речення, яке знаєте лише ви.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="336" />
            <source>New passphrase</source>
            <translation>Нова парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="339" />
            <source>Repeat the passphrase</source>
            <translation>Повторіть парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="335" />
            <source>&amp;New passphrase:</source>
            <translation>&amp;Нова парольна фраза:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="337" />
            <source>Strength:</source>
            <translation>Надійність:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="338" />
            <source>&amp;Repeat it:</source>
            <translation>&amp;Повторіть її:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="341" />
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="342" />
            <source>Creating the vault</source>
            <translation>Сховище створюється</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="343" />
            <location filename="../../desktop/unlock.py" line="344" />
            <source>Create vault</source>
            <translation>Створити сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="364" />
            <source>The passphrase needs at least {count} characters.</source>
            <translation>Парольна фраза має містити щонайменше {count} символів.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="371" />
            <source>The two passphrases differ. Type them again.</source>
            <translation>Парольні фрази не збігаються. Введіть їх ще раз.</translation>
        </message>
    </context>
    <context>
        <name>DevicesDialog</name>
        <message>
            <location filename="../../desktop/devices_view.py" line="233" />
            <source>Devices</source>
            <translation>Пристрої</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="237" />
            <source>Every device of the organisation this vault knows, with its last bundle. A bundle missing before the last one is a warning: the laptop may have been seized or lost before it sent it, or the bundle is still on its way.</source>
            <translation>Усі пристрої організації, відомі цьому сховищу, з їхнім останнім пакетом. Пакет, якого бракує перед останнім, — це попередження: ноутбук могли вилучити або загубити, перш ніж він його надіслав, або пакет ще в дорозі.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="243" />
            <source>Devices and their bundles</source>
            <translation>Пристрої та їхні пакети</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="245" />
            <source>Device</source>
            <translation>Пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="246" />
            <source>Role</source>
            <translation>Роль</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="247" />
            <source>Key</source>
            <translation>Ключ</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="248" />
            <source>Status</source>
            <translation>Стан</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="249" />
            <source>Last bundle</source>
            <translation>Останній пакет</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="250" />
            <source>Held</source>
            <translation>Утримано</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="251" />
            <source>Verification</source>
            <translation>Перевірка</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="252" />
            <source>Warning</source>
            <translation>Попередження</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="264" />
            <source>The chosen device</source>
            <translation>Вибраний пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="267" />
            <source>Record changes waiting for their parents</source>
            <translation>Зміни записів, що чекають на свої батьківські зміни</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="273" />
            <source>Record changes kept aside from devices whose vouch lapsed</source>
            <translation>Зміни записів, відкладені від пристроїв, поручительство за які втратило силу</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="291" />
            <source>First characters of the device id, to confirm</source>
            <translation>Перші символи ідентифікатора пристрою, для підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="294" />
            <location filename="../../desktop/devices_view.py" line="295" />
            <source>Revoke this device</source>
            <translation>Відкликати цей пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="298" />
            <source>Keep it</source>
            <translation>Залишити</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="314" />
            <source>Set them aside</source>
            <translation>Відкласти їх</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="316" />
            <source>Keep them waiting</source>
            <translation>Нехай чекають</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="325" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="328" />
            <source>Refresh</source>
            <translation>Оновити</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="330" />
            <source>Revoke…</source>
            <translation>Відкликати…</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="331" />
            <source>Revoke the chosen device</source>
            <translation>Відкликати вибраний пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="337" />
            <source>Set aside…</source>
            <translation>Відкласти…</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="339" />
            <source>Set aside the chosen device's waiting record changes</source>
            <translation>Відкласти зміни записів вибраного пристрою, що чекають</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="344" />
            <source>Try again</source>
            <translation>Спробувати ще раз</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="346" />
            <source>Try the chosen device's held bundles again at the next sync</source>
            <translation>Спробувати утримувані пакети вибраного пристрою ще раз під час наступної синхронізації</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="350" />
            <source>Send the profile to the server again</source>
            <translation>Надіслати профіль на сервер ще раз</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="353" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="395" />
            <source>No other devices are known to this vault yet.</source>
            <translation>Цьому сховищу ще не відомі інші пристрої.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="410" />
            <source>%n record change(s) wait for their parents: they follow changes this vault has not received yet. Point here for what to do.</source>
            <translation>
                <numerusform>%n зміна запису чекає на свої батьківські зміни: вона йде за змінами, яких це сховище ще не отримало. Наведіть сюди вказівник, щоб дізнатися, що робити.</numerusform>
                <numerusform>%n зміни записів чекають на свої батьківські зміни: вони йдуть за змінами, яких це сховище ще не отримало. Наведіть сюди вказівник, щоб дізнатися, що робити.</numerusform>
                <numerusform>%n змін записів чекають на свої батьківські зміни: вони йдуть за змінами, яких це сховище ще не отримало. Наведіть сюди вказівник, щоб дізнатися, що робити.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="424" />
            <source>%n record change(s) from devices whose vouch lapsed, kept until they are enrolled again: a current coordinator vouches for the device, or you approve it by its verification code. Then they are stored.</source>
            <translation>
                <numerusform>%n зміна запису від пристроїв, поручительство за які втратило силу, відкладена, доки їх не зареєструють знову: чинний координатор поручиться за пристрій або ви схвалите його за кодом перевірки. Тоді її буде збережено.</numerusform>
                <numerusform>%n зміни записів від пристроїв, поручительство за які втратило силу, відкладені, доки їх не зареєструють знову: чинний координатор поручиться за пристрій або ви схвалите його за кодом перевірки. Тоді їх буде збережено.</numerusform>
                <numerusform>%n змін записів від пристроїв, поручительство за які втратило силу, відкладено, доки їх не зареєструють знову: чинний координатор поручиться за пристрій або ви схвалите його за кодом перевірки. Тоді їх буде збережено.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="437" />
            <source>A bundle brought edits of records whose earlier changes (their parents) this vault does not hold yet, often a field worker's that another desk took directly. They are kept apart, in no list, search or export, and stored as soon as those changes arrive. To bring them, import the bundle of the device that made them (ask the desk whose edits wait which worker's records it edited), or sync. If a revoked device made them they never come: the waiting edits are then left out when that device's bundle is read.</source>
            <translation>Пакет приніс правки записів, попередніх змін яких (їхніх батьківських змін) це сховище ще не має, часто змін польового працівника, які інше робоче місце отримало напряму. Ці правки зберігаються окремо, їх немає в жодному списку, пошуку чи експорті, і їх буде збережено, щойно надійдуть ті зміни. Щоб їх отримати, імпортуйте пакет пристрою, який їх зробив (запитайте робоче місце, чиї правки чекають, записи якого працівника воно правило), або синхронізуйтеся. Якщо їх зробив відкликаний пристрій, вони не надійдуть ніколи: тоді правки, що чекають, буде пропущено, щойно буде прочитано пакет цього пристрою.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="464" />
            <source>Verification code (compare it with the worker's): {code}</source>
            <translation>Код перевірки (звірте його з кодом працівника): {code}</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="477" />
            <source>%n missing</source>
            <translation>
                <numerusform>бракує %n</numerusform>
                <numerusform>бракує %n</numerusform>
                <numerusform>бракує %n</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="479" />
            <source>%n held</source>
            <translation>
                <numerusform>утримано %n</numerusform>
                <numerusform>утримано %n</numerusform>
                <numerusform>утримано %n</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="481" />
            <source>%n file(s) gone</source>
            <translation>
                <numerusform>%n файл зник</numerusform>
                <numerusform>%n файли зникли</numerusform>
                <numerusform>%n файлів зникло</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="483" />
            <source>%n refused</source>
            <translation>
                <numerusform>відхилено %n</numerusform>
                <numerusform>відхилено %n</numerusform>
                <numerusform>відхилено %n</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="492" />
            <location filename="../../desktop/devices_view.py" line="541" />
            <location filename="../../desktop/devices_view.py" line="550" />
            <source>revoked</source>
            <translation>відкликано</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="494" />
            <source>vouch lapsed</source>
            <translation>поруку скасовано</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="496" />
            <source>%n refused bundle(s) read</source>
            <translation>
                <numerusform>%n відхилений пакет прочитано</numerusform>
                <numerusform>%n відхилені пакети прочитано</numerusform>
                <numerusform>%n відхилених пакетів прочитано</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="499" />
            <source>%n type clash(es)</source>
            <translation>
                <numerusform>%n конфлікт типів</numerusform>
                <numerusform>%n конфлікти типів</numerusform>
                <numerusform>%n конфліктів типів</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="621" />
            <source>This device is a party to %n type clash(es): another device claims a record with a different type. This vault keeps the type that arrived here first, which may not be the honest one; the other side is never stored, and the rest of its bundles was taken.</source>
            <translation>
                <numerusform>Цей пристрій — сторона в %n конфлікті типів: інший пристрій заявляє запис з іншим типом. Це сховище зберігає тип, що надійшов сюди першим, і він може бути не чесним; другу сторону ніколи не зберігають, а решту її пакетів прийнято.</numerusform>
                <numerusform>Цей пристрій — сторона в %n конфліктах типів: інший пристрій заявляє запис з іншим типом. Це сховище зберігає тип, що надійшов сюди першим, і він може бути не чесним; другу сторону ніколи не зберігають, а решту її пакетів прийнято.</numerusform>
                <numerusform>Цей пристрій — сторона в %n конфліктах типів: інший пристрій заявляє запис з іншим типом. Це сховище зберігає тип, що надійшов сюди першим, і він може бути не чесним; другу сторону ніколи не зберігають, а решту її пакетів прийнято.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="632" />
            <source>Ask the people who use both devices which record they made, and tell your organisation. fieldvault devices parked lists every clash ({shown} shown here).</source>
            <translation>Запитайте людей, які користуються обома пристроями, хто з них створив цей запис, і повідомте свою організацію. fieldvault devices parked показує всі конфлікти (тут показано {shown}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="641" />
            <source>the change {revision} signed by {device} claims another type and was left out on {when} UTC</source>
            <translation>зміна {revision} (підписувач: {device}) заявляє інший тип і була пропущена {when} UTC</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="646" />
            <source>no change of it is held here</source>
            <translation>жодної його зміни тут немає</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="649" />
            <source>this vault holds it as {type}, first from the change {revision} signed by {device} (made {when} UTC by its signer's clock), stored here before the other arrived</source>
            <translation>це сховище має його як {type}, спершу зі зміни {revision} (підписувач: {device}; зроблено {when} UTC за годинником підписувача), збереженої тут до надходження іншої</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="657" />
            <source>Two devices claim record {record} with different types: {kept}; {left}.</source>
            <translation>Два пристрої заявляють запис {record} з різними типами: {kept}; {left}.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="664" />
            <source>this desk ({device})</source>
            <translation>це робоче місце ({device})</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="825" />
            <source>It is no longer tried automatically: once the cause is dealt with, click Try again; the next sync then tries it.</source>
            <translation>Автоматично його більше не пробують імпортувати: щойно причину усунуто, натисніть «Спробувати ще раз»; тоді наступна синхронізація спробує його імпортувати.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="501" />
            <source>%n receipt alarm(s)</source>
            <translation>
                <numerusform>%n тривога щодо квитанцій</numerusform>
                <numerusform>%n тривоги щодо квитанцій</numerusform>
                <numerusform>%n тривог щодо квитанцій</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="487" />
            <source>release failed %n time(s) ({code})</source>
            <translation>
                <numerusform>імпорт не вдався %n раз ({code})</numerusform>
                <numerusform>імпорт не вдався %n рази ({code})</numerusform>
                <numerusform>імпорт не вдався %n разів ({code})</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="507" />
            <source>%n not handed over</source>
            <translation>
                <numerusform>%n не передано</numerusform>
                <numerusform>%n не передано</numerusform>
                <numerusform>%n не передано</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="517" />
            <source>%n file(s) not handed over</source>
            <translation>
                <numerusform>Файлів не передано: %n</numerusform>
                <numerusform>Файлів не передано: %n</numerusform>
                <numerusform>Файлів не передано: %n</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="525" />
            <source>%n bundle(s) not checked</source>
            <translation>
                <numerusform>Пакетів не перевірено: %n</numerusform>
                <numerusform>Пакетів не перевірено: %n</numerusform>
                <numerusform>Пакетів не перевірено: %n</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="532" />
            <source>field device</source>
            <translation>польовий пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="533" />
            <source>coordinator</source>
            <translation>координатор</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="534" />
            <location filename="../../desktop/devices_view.py" line="542" />
            <source>unknown</source>
            <translation>невідомо</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="539" />
            <source>enrolled</source>
            <translation>зареєстровано</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="540" />
            <location filename="../../desktop/devices_view.py" line="549" />
            <source>pending</source>
            <translation>очікує</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="547" />
            <source>verified</source>
            <translation>перевірено</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="548" />
            <source>awaiting verification</source>
            <translation>очікує перевірки</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="555" />
            <source>none yet</source>
            <translation>ще немає</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="558" />
            <source>today</source>
            <translation>сьогодні</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="558" />
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>%n день тому</numerusform>
                <numerusform>%n дні тому</numerusform>
                <numerusform>%n днів тому</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="559" />
            <source>#{sequence} · {when} UTC ({age})</source>
            <translation>№{sequence} · {when} UTC ({age})</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="573" />
            <source>Bundles missing: {numbers}. The laptop may have been seized or lost, or they are still on their way.</source>
            <translation>Бракує пакетів: {numbers}. Ноутбук могли вилучити або загубити, або пакети ще в дорозі.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="579" />
            <source>%n bundle(s) held until its verification code is compared.</source>
            <translation>
                <numerusform>%n пакет утримано, доки не звірено код перевірки пристрою.</numerusform>
                <numerusform>%n пакети утримано, доки не звірено код перевірки пристрою.</numerusform>
                <numerusform>%n пакетів утримано, доки не звірено код перевірки пристрою.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="582" />
            <source>Revoked: its bundles are refused.</source>
            <translation>Відкликано: його пакети відхиляються.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="590" />
            <source>%n record change(s) it signed wait here for their parents, changes this vault has not received yet: import the bundle of the device that made those (often the field worker whose records it edited).</source>
            <translation>
                <numerusform>%n зміна запису, яку він підписав, чекає тут на свої батьківські зміни, яких це сховище ще не отримало: імпортуйте пакет пристрою, який їх зробив (часто це польовий працівник, чиї записи він правив).</numerusform>
                <numerusform>%n зміни записів, які він підписав, чекають тут на свої батьківські зміни, яких це сховище ще не отримало: імпортуйте пакет пристрою, який їх зробив (часто це польовий працівник, чиї записи він правив).</numerusform>
                <numerusform>%n змін записів, які він підписав, чекають тут на свої батьківські зміни, яких це сховище ще не отримало: імпортуйте пакет пристрою, який їх зробив (часто це польовий працівник, чиї записи він правив).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="600" />
            <source>%n record change(s) it signed are kept aside here until it is enrolled again.</source>
            <translation>
                <numerusform>%n зміна запису, яку він підписав, відкладена тут, доки його не зареєструють знову.</numerusform>
                <numerusform>%n зміни записів, які він підписав, відкладені тут, доки його не зареєструють знову.</numerusform>
                <numerusform>%n змін записів, які він підписав, відкладено тут, доки його не зареєструють знову.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="673" />
            <source>%n record change(s) it signed were kept out (left out or set aside) at the coordinator desk {desk}, as that desk's history hand-over says. This vault does not hold them; if they arrive here, this desk decides them itself.</source>
            <translation>
                <numerusform>Змін запису, які підписав цей пристрій: %n. Робоче місце координатора {desk} не прийняло їх (пропустило або відклало), як каже передача історії від того робочого місця. Цього сховища вони не мають; якщо вони надійдуть сюди, це робоче місце вирішить про них саме.</numerusform>
                <numerusform>Змін запису, які підписав цей пристрій: %n. Робоче місце координатора {desk} не прийняло їх (пропустило або відклало), як каже передача історії від того робочого місця. Цього сховища вони не мають; якщо вони надійдуть сюди, це робоче місце вирішить про них саме.</numerusform>
                <numerusform>Змін запису, які підписав цей пристрій: %n. Робоче місце координатора {desk} не прийняло їх (пропустило або відклало), як каже передача історії від того робочого місця. Цього сховища вони не мають; якщо вони надійдуть сюди, це робоче місце вирішить про них саме.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="687" />
            <source>%n of this device's bundles came with the history hand-over from the coordinator desk {desk} without the worker's signed list of what they brought, and none is kept here: they were not checked. That desk may have had no such list or no room for it, or may have removed it to hide what it left out: compare with the worker's laptop or another desk. fieldvault devices parked lists them.</source>
            <translation>
                <numerusform>Пакетів цього пристрою, що надійшли з передачею історії від робочого місця координатора {desk} без підписаного працівником переліку того, що вони принесли, і такого переліку тут немає: %n. Їх не перевірено. Те робоче місце могло не мати такого переліку чи місця для нього, або вилучити його, щоб приховати пропущене: порівняйте з ноутбуком працівника або з іншим робочим місцем. fieldvault devices parked перелічує їх.</numerusform>
                <numerusform>Пакетів цього пристрою, що надійшли з передачею історії від робочого місця координатора {desk} без підписаного працівником переліку того, що вони принесли, і такого переліку тут немає: %n. Їх не перевірено. Те робоче місце могло не мати такого переліку чи місця для нього, або вилучити його, щоб приховати пропущене: порівняйте з ноутбуком працівника або з іншим робочим місцем. fieldvault devices parked перелічує їх.</numerusform>
                <numerusform>Пакетів цього пристрою, що надійшли з передачею історії від робочого місця координатора {desk} без підписаного працівником переліку того, що вони принесли, і такого переліку тут немає: %n. Їх не перевірено. Те робоче місце могло не мати такого переліку чи місця для нього, або вилучити його, щоб приховати пропущене: порівняйте з ноутбуком працівника або з іншим робочим місцем. fieldvault devices parked перелічує їх.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="702" />
            <source>%n evidence file(s) that this device's own signed bundles name did not come with the history hand-over from the coordinator desk {desk}: their records are here, their files are not (verify names them). That desk may have left them out. Re-reading the worker's own bundle file brings them (fieldvault bundle import --reread), as does a later bundle that carries them. fieldvault devices parked lists them.</source>
            <translation>
                <numerusform>Файлів доказів, які називають власні підписані пакети цього пристрою, не надійшли з передачею історії від робочого місця координатора {desk}: %n. Їхні записи тут є, а файлів немає (перевірка називає їх). Те робоче місце могло їх пропустити. Повторне читання власного файлу пакета працівника приносить їх (fieldvault bundle import --reread), як і пізніший пакет, що їх несе. fieldvault devices parked перелічує їх.</numerusform>
                <numerusform>Файлів доказів, які називають власні підписані пакети цього пристрою, не надійшли з передачею історії від робочого місця координатора {desk}: %n. Їхні записи тут є, а файлів немає (перевірка називає їх). Те робоче місце могло їх пропустити. Повторне читання власного файлу пакета працівника приносить їх (fieldvault bundle import --reread), як і пізніший пакет, що їх несе. fieldvault devices parked перелічує їх.</numerusform>
                <numerusform>Файлів доказів, які називають власні підписані пакети цього пристрою, не надійшли з передачею історії від робочого місця координатора {desk}: %n. Їхні записи тут є, а файлів немає (перевірка називає їх). Те робоче місце могло їх пропустити. Повторне читання власного файлу пакета працівника приносить їх (fieldvault bundle import --reread), як і пізніший пакет, що їх несе. fieldvault devices parked перелічує їх.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="720" />
            <source>%n record change(s) that this device's own signed bundles name did not come with the history hand-over from the coordinator desk {desk}, and nothing here explains them. That desk may have left them out: compare with the worker's laptop or another desk. fieldvault devices parked lists them.</source>
            <translation>
                <numerusform>Змін запису, які називають власні підписані пакети цього пристрою, не надійшли з передачею історії від робочого місця координатора {desk}, і тут їх ніщо не пояснює: %n. Те робоче місце могло їх пропустити: порівняйте з ноутбуком працівника або з іншим робочим місцем. fieldvault devices parked перелічує їх.</numerusform>
                <numerusform>Змін запису, які називають власні підписані пакети цього пристрою, не надійшли з передачею історії від робочого місця координатора {desk}, і тут їх ніщо не пояснює: %n. Те робоче місце могло їх пропустити: порівняйте з ноутбуком працівника або з іншим робочим місцем. fieldvault devices parked перелічує їх.</numerusform>
                <numerusform>Змін запису, які називають власні підписані пакети цього пристрою, не надійшли з передачею історії від робочого місця координатора {desk}, і тут їх ніщо не пояснює: %n. Те робоче місце могло їх пропустити: порівняйте з ноутбуком працівника або з іншим робочим місцем. fieldvault devices parked перелічує їх.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="731" />
            <source>%n of this device's bundle records, as the history hand-over from the coordinator desk {desk} carried them, do not match its signature: not trusted. That desk's hand-over may have been tampered with.</source>
            <translation>
                <numerusform>Записів про пакети цього пристрою, як їх передала передача історії від робочого місця координатора {desk}, що не відповідають його підпису: %n. Їм не довіряють. Передачу від того робочого місця могли підробити.</numerusform>
                <numerusform>Записів про пакети цього пристрою, як їх передала передача історії від робочого місця координатора {desk}, що не відповідають його підпису: %n. Їм не довіряють. Передачу від того робочого місця могли підробити.</numerusform>
                <numerusform>Записів про пакети цього пристрою, як їх передала передача історії від робочого місця координатора {desk}, що не відповідають його підпису: %n. Їм не довіряють. Передачу від того робочого місця могли підробити.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="748" />
            <source>Coordinator {id} relays changes of it and no longer vouches for it (the coordinator that did was removed there): its bundles are held and its changes kept aside until a current coordinator vouches for it, or you approve it by its verification code.</source>
            <translation>Координатор {id} передає його зміни, але більше не ручається за нього (координатора, який ручався, там вилучено): його пакети затримуються, а зміни відкладаються, доки чинний координатор не поручиться за нього або ви не схвалите його за кодом перевірки.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="753" />
            <source>Known here only on the word of coordinator {id}, which the organisation has removed: its bundles are held and its changes that other desks relay kept aside until a current coordinator vouches for it, or you approve it by its verification code.</source>
            <translation>Відомий тут лише зі слів координатора {id}, якого організація вилучила: його пакети затримуються, а його зміни, які передають інші робочі місця, відкладаються, доки чинний координатор не поручиться за нього або ви не схвалите його за кодом перевірки.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="763" />
            <source>%n of its bundles were refused and read here: {kept} revision id(s) from them are kept as left out, so that edits of them that other desks send are left out too.</source>
            <translation>
                <numerusform>%n його пакет відхилено й прочитано тут: ідентифікатори версій із нього ({kept}) збережено як пропущені, щоб правки цих версій, надіслані іншими робочими місцями, теж пропускалися.</numerusform>
                <numerusform>%n його пакети відхилено й прочитано тут: ідентифікатори версій із них ({kept}) збережено як пропущені, щоб правки цих версій, надіслані іншими робочими місцями, теж пропускалися.</numerusform>
                <numerusform>%n його пакетів відхилено й прочитано тут: ідентифікатори версій із них ({kept}) збережено як пропущені, щоб правки цих версій, надіслані іншими робочими місцями, теж пропускалися.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="770" />
            <source>{not_kept} more were not kept: the limit of ids kept per revoked device was reached.</source>
            <translation>Ще {not_kept} не збережено: досягнуто межі ідентифікаторів, які зберігаються для одного відкликаного пристрою.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="780" />
            <source>Bundle {sequence} is held until this desk has the rest of the history hand-over from coordinator desk {maker} (part {part} of {parts} imported here), or any complete hand-over, or until that desk is revoked. To take it now, compare its verification code with the worker, then approve it.</source>
            <translation>Пакет {sequence} утримується, доки це робоче місце не отримає решту передачі історії з робочого місця координатора {maker} (тут імпортовано частину {part} з {parts}) або будь-яку повну передачу, чи доки те робоче місце не буде відкликано. Щоб прийняти його зараз, звірте його код перевірки з працівником, а тоді схваліть його.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="795" />
            <source>Bundle {sequence} came with a history hand-over while this device is pending here: its changes are kept aside. To take them, compare its verification code with the worker, then approve it: Import bundles… of its file, or fieldvault bundle approve {bundle} --code CODE (the file is not needed).</source>
            <translation>Пакет {sequence} надійшов із передачею історії, поки цей пристрій тут очікує: його зміни відкладено. Щоб прийняти їх, звірте його код перевірки з працівником, потім схваліть його: «Імпорт пакетів…» його файлу або fieldvault bundle approve {bundle} --code CODE (файл не потрібен).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="803" />
            <source>Bundle {sequence} is still held: importing it was refused ({reason}), and nothing of it was applied. Keep the file aside and report it.</source>
            <translation>Пакет {sequence} досі утримано: його імпорт відхилено ({reason}), і нічого з нього не застосовано. Відкладіть файл і повідомте про це.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="809" />
            <source>Bundle {sequence} is still held, though its device is verified now: release failed %n time(s) ({code}) on this computer. It was not refused and its file is kept.</source>
            <translation>
                <numerusform>Пакет {sequence} досі утримано, хоча його пристрій уже перевірено: імпорт не вдався %n раз ({code}) на цьому комп’ютері. Його не відхилено, і його файл збережено.</numerusform>
                <numerusform>Пакет {sequence} досі утримано, хоча його пристрій уже перевірено: імпорт не вдався %n рази ({code}) на цьому комп’ютері. Його не відхилено, і його файл збережено.</numerusform>
                <numerusform>Пакет {sequence} досі утримано, хоча його пристрій уже перевірено: імпорт не вдався %n разів ({code}) на цьому комп’ютері. Його не відхилено, і його файл збережено.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="834" />
            <source>It is no longer tried automatically: once the cause is dealt with, import its file again ({path}).</source>
            <translation>Автоматично його більше не пробують імпортувати: щойно причину усунуто, імпортуйте його файл ще раз ({path}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="839" />
            <source>The next sync tries it again.</source>
            <translation>Наступна синхронізація спробує ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="840" />
            <source>Import its file again ({path}).</source>
            <translation>Імпортуйте його файл ще раз ({path}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="843" />
            <source>Bundle {sequence} is still held: its device is verified now, but the file it was imported from ({path}) is gone or is another file. Import the bundle file again.</source>
            <translation>Пакет {sequence} досі утримано: його пристрій уже перевірено, але файлу, з якого його імпортували ({path}), немає або це вже інший файл. Імпортуйте файл пакета ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="848" />
            <source>Bundle {sequence} is still held, though its device is verified now: the next sync imports it.</source>
            <translation>Пакет {sequence} досі утримано, хоча його пристрій уже перевірено: його імпортує наступна синхронізація.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="852" />
            <source>Bundle {sequence} is still held, though its device is verified now: import its file again ({path}).</source>
            <translation>Пакет {sequence} досі утримано, хоча його пристрій уже перевірено: імпортуйте його файл ще раз ({path}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="860" />
            <source>Receipt alarm: the server showed this device another record of deliveries than the one this vault checked (receipt {index}).</source>
            <translation>Тривога щодо квитанцій: сервер показав цьому пристрою інший облік доставлень, ніж той, який перевірило це сховище (квитанція {index}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="864" />
            <source>Receipt alarm: this device holds the server's receipt {index}, but the record of deliveries the server showed this vault ends before it.</source>
            <translation>Тривога щодо квитанцій: цей пристрій має квитанцію сервера {index}, але облік доставлень, який сервер показав цьому сховищу, закінчується раніше.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="868" />
            <source>Receipt alarm: receipt {index} this device carried is not signed by the server's key, or names another device or bundle.</source>
            <translation>Тривога щодо квитанцій: квитанцію {index}, яку передав цей пристрій, не підписано ключем сервера, або вона називає інший пристрій чи пакет.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="872" />
            <source>Receipt alarm: the server numbered a later bundle of this device before an earlier one (receipt {index}).</source>
            <translation>Тривога щодо квитанцій: сервер дав пізнішому пакету цього пристрою номер, менший за номер ранішого (квитанція {index}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="875" />
            <source>Receipt alarm about receipt {index}.</source>
            <translation>Тривога щодо квитанції {index}.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="877" />
            <source>The server may be hiding or rewriting deliveries: tell your organisation, and have this worker bring its bundles by USB.</source>
            <translation>Можливо, сервер приховує або переписує доставлення: повідомте свою організацію і попросіть цього працівника передавати свої пакети на флешці.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="941" />
            <source>Revoke {name}? A new version of the organisation's profile will list it as revoked: its bundles will be refused from then on, and it can never be enrolled again. What it sent before stays. Type the first {count} characters of its id ({start}…) to confirm.</source>
            <translation>Відкликати {name}? Нова версія профілю організації позначить його як відкликаний: відтоді його пакети відхилятимуться, і його вже ніколи не можна буде зареєструвати знову. Те, що він надіслав раніше, залишиться. Щоб підтвердити, введіть перші {count} символів його ідентифікатора ({start}…).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="974" />
            <source>Signing the new profile version…</source>
            <translation>Підписування нової версії профілю…</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="991" />
            <source>Saving…</source>
            <translation>Збереження…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="1007" />
            <source>The next sync tries %n held bundle(s) again (Organisation → Sync…, Sync now, to sync at once).</source>
            <translation>
                <numerusform>Наступна синхронізація спробує ще раз %n утримуваний пакет (щоб синхронізувати одразу: «Організація → Синхронізація…», «Синхронізувати зараз»).</numerusform>
                <numerusform>Наступна синхронізація спробує ще раз %n утримувані пакети (щоб синхронізувати одразу: «Організація → Синхронізація…», «Синхронізувати зараз»).</numerusform>
                <numerusform>Наступна синхронізація спробує ще раз %n утримуваних пакетів (щоб синхронізувати одразу: «Організація → Синхронізація…», «Синхронізувати зараз»).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="1027" />
            <source>Set aside the %n record change(s) {name} signed that wait here for their parents, and the waiting changes that follow them? They are kept as left out for good: never stored, even if their parents arrive later, and in no list, search or export. Do it only for changes whose parents will never come (a seized device's, or a lost device's). Files they name are kept until moved to quarantine from the command line.</source>
            <translation>
                <numerusform>Відкласти %n зміну запису, яку підписав {name} і яка чекає тут на свої батьківські зміни, а також зміни, що чекають після неї? Її буде назавжди залишено осторонь: її ніколи не буде збережено, навіть якщо батьківські зміни надійдуть пізніше, і вона не з’явиться в жодному списку, пошуку чи експорті. Робіть це лише для змін, батьківські зміни яких ніколи не надійдуть (вилученого або втраченого пристрою). Файли, які вони називають, зберігаються, доки їх не перемістять до карантину з командного рядка.</numerusform>
                <numerusform>Відкласти %n зміни записів, які підписав {name} і які чекають тут на свої батьківські зміни, а також зміни, що чекають після них? Їх буде назавжди залишено осторонь: їх ніколи не буде збережено, навіть якщо батьківські зміни надійдуть пізніше, і вони не з’являться в жодному списку, пошуку чи експорті. Робіть це лише для змін, батьківські зміни яких ніколи не надійдуть (вилученого або втраченого пристрою). Файли, які вони називають, зберігаються, доки їх не перемістять до карантину з командного рядка.</numerusform>
                <numerusform>Відкласти %n змін записів, які підписав {name} і які чекають тут на свої батьківські зміни, а також зміни, що чекають після них? Їх буде назавжди залишено осторонь: їх ніколи не буде збережено, навіть якщо батьківські зміни надійдуть пізніше, і вони не з’являться в жодному списку, пошуку чи експорті. Робіть це лише для змін, батьківські зміни яких ніколи не надійдуть (вилученого або втраченого пристрою). Файли, які вони називають, зберігаються, доки їх не перемістять до карантину з командного рядка.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1052" />
            <source>Setting the waiting changes aside…</source>
            <translation>Відкладаємо зміни, що чекають…</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1064" />
            <source>Nothing was set aside; the changes still wait.</source>
            <translation>Нічого не відкладено; зміни й далі чекають.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/devices_view.py" line="1070" />
            <source>%n record change(s) set aside: kept as left out here for good.</source>
            <translation>
                <numerusform>%n зміну запису відкладено: її назавжди залишено тут осторонь.</numerusform>
                <numerusform>%n зміни записів відкладено: їх назавжди залишено тут осторонь.</numerusform>
                <numerusform>%n змін записів відкладено: їх назавжди залишено тут осторонь.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1103" />
            <source>The device was not revoked; the profile is as it was.</source>
            <translation>Пристрій не відкликано; профіль залишився таким, як був.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1110" />
            <source>Device {device_id} is revoked in profile version {version}. This vault refuses its bundles from now on.</source>
            <translation>Пристрій {device_id} відкликано у версії профілю {version}. Відтепер це сховище відхиляє його пакети.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1118" />
            <source>No server is named in the profile: give the new profile to the other coordinators (fieldvault org export), so that their vaults refuse it too.</source>
            <translation>У профілі не вказано сервера: передайте новий профіль іншим координаторам (fieldvault org export), щоб і їхні сховища його відхиляли.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1124" />
            <location filename="../../desktop/devices_view.py" line="1140" />
            <source>Sending the new profile to the server…</source>
            <translation>Надсилання нового профілю на сервер…</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1153" />
            <source>The server {url} has the new profile: it refuses the device from its next request.</source>
            <translation>Сервер {url} отримав новий профіль: він відхилить пристрій з наступного запиту.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1156" />
            <source>The server {url} could not be reached: until it receives the new profile it still accepts this device. Send it again when the connection is back.</source>
            <translation>Не вдалося з'єднатися з сервером {url}: доки він не отримає новий профіль, він і далі приймає цей пристрій. Надішліть його ще раз, коли з'явиться зв'язок.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1160" />
            <source>The server {url} showed another certificate than the pinned one: the profile was not sent. Check the server before you send it again.</source>
            <translation>Сервер {url} показав інший сертифікат, ніж закріплений: профіль не надіслано. Перевірте сервер, перш ніж надсилати знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1163" />
            <source>The server {url} refused the new profile ({detail}).</source>
            <translation>Сервер {url} відхилив новий профіль ({detail}).</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1166" />
            <source>The server {url} is too old for this profile and refused it: it must be updated. Until then the revocation is NOT in force at the server, which still accepts this device's uploads. Have the server updated, then send the profile again.</source>
            <translation>Сервер {url} застарий для цього профілю і відхилив його: його треба оновити. Доки його не оновлено, відкликання на сервері НЕ діє: він і далі приймає завантаження з цього пристрою. Попросіть оновити сервер, а потім надішліть профіль знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/devices_view.py" line="1216" />
            <source>&amp;Devices…</source>
            <translation>&amp;Пристрої…</translation>
        </message>
    </context>
    <context>
        <name>DuplicatesDialog</name>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="186" />
            <location filename="../../desktop/duplicates_view.py" line="219" />
            <source>Possible duplicates</source>
            <translation>Можливі дублікати</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="190" />
            <source>Persons recorded more than once by different workers: names in Cyrillic and in Latin letters, initials, dates of different precision. A suggestion is not a verdict: compare the two records and decide. A decision is a signed change that can be undone; the records themselves stay as they were recorded.</source>
            <translation>Особи, яких записали кілька разів різні працівники: імена кирилицею й латиницею, ініціали, дати різної точності. Пропозиція — не висновок: порівняйте два записи й вирішіть. Рішення — це підписана зміна, яку можна скасувати; самі записи залишаються такими, як їх записали.</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="198" />
            <source>Show pairs scored from</source>
            <translation>Показувати пари з оцінкою від</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="201" />
            <location filename="../../desktop/duplicates_view.py" line="206" />
            <source>Lowest score shown</source>
            <translation>Найнижча показана оцінка</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="220" />
            <source>Score</source>
            <translation>Оцінка</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="220" />
            <location filename="../../desktop/duplicates_view.py" line="227" />
            <source>First record</source>
            <translation>Перший запис</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="220" />
            <location filename="../../desktop/duplicates_view.py" line="227" />
            <source>Second record</source>
            <translation>Другий запис</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="220" />
            <source>Why</source>
            <translation>Чому</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="224" />
            <source>Suggestions</source>
            <translation>Пропозиції</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="226" />
            <source>Decisions taken</source>
            <translation>Ухвалені рішення</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="227" />
            <source>Decision</source>
            <translation>Рішення</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="231" />
            <source>Decisions</source>
            <translation>Рішення</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="239" />
            <source>Name</source>
            <translation>Ім'я</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="240" />
            <source>Case</source>
            <translation>Справа</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="241" />
            <source>Date of birth</source>
            <translation>Дата народження</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="242" />
            <source>Place</source>
            <translation>Місце</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="258" />
            <source>The two records side by side</source>
            <translation>Два записи поруч</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="260" />
            <source>Show dates and places of birth</source>
            <translation>Показати дати й місця народження</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="262" />
            <source>They are sensitive details: shown only on request.</source>
            <translation>Це чутливі відомості: показуються лише на запит.</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="266" />
            <source>Progress of the search for duplicates</source>
            <translation>Перебіг пошуку дублікатів</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="268" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="272" />
            <source>Search again</source>
            <translation>Шукати знову</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="274" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="275" />
            <source>Cancel the search for duplicates</source>
            <translation>Скасувати пошук дублікатів</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="278" />
            <source>Link as the same person</source>
            <translation>Пов'язати як ту саму особу</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="280" />
            <source>Not the same</source>
            <translation>Це різні особи</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="282" />
            <source>Undo this decision</source>
            <translation>Скасувати це рішення</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="284" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="312" />
            <source>Reading the persons…</source>
            <translation>Читання осіб…</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="326" />
            <location filename="../../desktop/duplicates_view.py" line="348" />
            <source>Search cancelled.</source>
            <translation>Пошук скасовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="339" />
            <source>Comparing names, dates and places…</source>
            <translation>Порівняння імен, дат і місць…</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="388" />
            <source>person {short} (deleted)</source>
            <translation>особа {short} (видалена)</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="413" />
            <source>same person</source>
            <translation>та сама особа</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="413" />
            <source>not the same</source>
            <translation>різні особи</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/duplicates_view.py" line="421" />
            <source>%n possible duplicate(s) from this score; the best {shown} are listed. Raise the score to see fewer.</source>
            <translation>
                <numerusform>%n можливий дублікат від цієї оцінки; показано {shown} найкращих. Підніміть оцінку, щоб їх було менше.</numerusform>
                <numerusform>%n можливі дублікати від цієї оцінки; показано {shown} найкращих. Підніміть оцінку, щоб їх було менше.</numerusform>
                <numerusform>%n можливих дублікатів від цієї оцінки; показано {shown} найкращих. Підніміть оцінку, щоб їх було менше.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/duplicates_view.py" line="428" />
            <source>%n possible duplicate(s) from this score.</source>
            <translation>
                <numerusform>%n можливий дублікат від цієї оцінки.</numerusform>
                <numerusform>%n можливі дублікати від цієї оцінки.</numerusform>
                <numerusform>%n можливих дублікатів від цієї оцінки.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="430" />
            <source>No possible duplicates from this score.</source>
            <translation>Від цієї оцінки можливих дублікатів немає.</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="437" />
            <source>surnames alike</source>
            <translation>прізвища схожі</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="438" />
            <source>given names alike</source>
            <translation>імена схожі</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="439" />
            <source>initial fits the given name</source>
            <translation>ініціал відповідає імені</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="440" />
            <source>initials fit</source>
            <translation>ініціали відповідають</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="441" />
            <source>a given name missing</source>
            <translation>бракує імені</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="442" />
            <source>given names differ</source>
            <translation>імена різні</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="443" />
            <source>given names of different genders</source>
            <translation>імена різної статі</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="444" />
            <source>initial does not fit</source>
            <translation>ініціал не відповідає</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="445" />
            <source>same patronymic</source>
            <translation>те саме по батькові</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="446" />
            <source>patronymics differ</source>
            <translation>по батькові різні</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="447" />
            <source>initial fits the patronymic</source>
            <translation>ініціал відповідає по батькові</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="448" />
            <source>initial does not fit the patronymic</source>
            <translation>ініціал не відповідає по батькові</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="449" />
            <source>birth year agrees</source>
            <translation>рік народження збігається</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="450" />
            <source>date of birth agrees</source>
            <translation>дата народження збігається</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="451" />
            <source>dates of birth differ</source>
            <translation>дати народження різні</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="452" />
            <source>same place</source>
            <translation>те саме місце</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="453" />
            <source>places differ</source>
            <translation>місця різні</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="527" />
            <source>(hidden)</source>
            <translation>(приховано)</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="577" />
            <source>Signing the decision…</source>
            <translation>Підписування рішення…</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="587" />
            <source>Nothing was changed.</source>
            <translation>Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="594" />
            <source>Linked as the same person (a signed change; Undo on the Decisions tab reverses it).</source>
            <translation>Пов'язано як ту саму особу (підписана зміна; її скасовує «Скасувати це рішення» на вкладці «Рішення»).</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="597" />
            <source>Marked as not the same: the pair is no longer suggested (Undo on the Decisions tab).</source>
            <translation>Позначено як різних осіб: цю пару більше не пропонуватимуть (скасувати можна на вкладці «Рішення»).</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="604" />
            <source>Decision undone: the pair is suggested again if it scores high enough.</source>
            <translation>Рішення скасовано: пару знову пропонуватимуть, якщо її оцінка досить висока.</translation>
        </message>
        <message>
            <location filename="../../desktop/duplicates_view.py" line="638" />
            <source>Possible &amp;duplicates…</source>
            <translation>Можливі &amp;дублікати…</translation>
        </message>
    </context>
    <context>
        <name>DuressDialog</name>
        <message>
            <location filename="../../desktop/duress_settings.py" line="107" />
            <location filename="../../desktop/duress_settings.py" line="117" />
            <source>Duress passphrase</source>
            <translation>Парольна фраза під примусом</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="110" />
            <source>For when you are forced to unlock: typed at unlock, it destroys the vault at once and only says the passphrase was wrong. A destroyed vault can itself raise suspicion.</source>
            <translation>На випадок, коли вас змушують відкрити сховище: введена під час розблокування, вона одразу знищує сховище й лише повідомляє про неправильну парольну фразу. Знищене сховище саме по собі може викликати підозру.</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="114" />
            <source>Your &amp;passphrase:</source>
            <translation>Ваша &amp;парольна фраза:</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="115" />
            <source>Your current passphrase</source>
            <translation>Ваша поточна парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="116" />
            <source>&amp;Duress passphrase:</source>
            <translation>Фраза під &amp;примусом:</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="118" />
            <source>Repeat i&amp;t:</source>
            <translation>Повто&amp;ріть її:</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="119" />
            <source>Repeat the duress passphrase</source>
            <translation>Повторіть парольну фразу під примусом</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="120" />
            <source>Set duress passphrase</source>
            <translation>Встановити фразу під примусом</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="121" />
            <source>Clear duress passphrase</source>
            <translation>Скасувати фразу під примусом</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="133" />
            <source>The duress passphrase needs at least {count} characters.</source>
            <translation>Парольна фраза під примусом має містити щонайменше {count} символів.</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="139" />
            <source>The two duress passphrases differ.</source>
            <translation>Дві парольні фрази під примусом не збігаються.</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="150" />
            <source>Type your passphrase first.</source>
            <translation>Спершу введіть свою парольну фразу.</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="156" />
            <source>Saving…</source>
            <translation>Збереження…</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="173" />
            <source>Duress passphrase set: typing it at unlock destroys the vault.</source>
            <translation>Парольну фразу під примусом встановлено: її введення під час розблокування знищує сховище.</translation>
        </message>
        <message>
            <location filename="../../desktop/duress_settings.py" line="175" />
            <source>Duress passphrase cleared.</source>
            <translation>Парольну фразу під примусом скасовано.</translation>
        </message>
    </context>
    <context>
        <name>EvidenceItemView</name>
        <message>
            <location filename="../../desktop/evidence_item.py" line="175" />
            <source>Original file name</source>
            <translation>Початкова назва файлу</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="179" />
            <source>Description</source>
            <translation>Опис</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="183" />
            <source>Source</source>
            <translation>Джерело</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="184" />
            <source>Who gave the file, or where it was found</source>
            <translation>Хто передав файл або де його знайдено</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="186" />
            <source>Stated date</source>
            <translation>Зазначена дата</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="187" />
            <source>YYYY, YYYY-MM or YYYY-MM-DD</source>
            <translation>РРРР, РРРР-ММ або РРРР-ММ-ДД</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="190" />
            <source>Stated place</source>
            <translation>Зазначене місце</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="192" />
            <source>Notes</source>
            <translation>Примітки</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="195" />
            <source>&amp;Save</source>
            <translation>&amp;Зберегти</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="196" />
            <source>Save the stated fields</source>
            <translation>Зберегти зазначені відомості</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="197" />
            <source>Ctrl+S also saves.</source>
            <translation>Ctrl+S теж зберігає.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="199" />
            <source>Item status</source>
            <translation>Стан доказу</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="200" />
            <source>Stated by the field worker</source>
            <translation>Зазначено польовим працівником</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="202" />
            <source>&amp;Description:</source>
            <translation>&amp;Опис:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="203" />
            <source>So&amp;urce:</source>
            <translation>Дже&amp;рело:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="204" />
            <source>Da&amp;te:</source>
            <translation>Д&amp;ата:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="205" />
            <source>&amp;Place:</source>
            <translation>&amp;Місце:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="206" />
            <source>&amp;Notes:</source>
            <translation>&amp;Примітки:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="216" />
            <source>Claim</source>
            <translation>Твердження</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="216" />
            <source>Value</source>
            <translation>Значення</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="217" />
            <location filename="../../desktop/evidence_item.py" line="230" />
            <source>Claimed by the file</source>
            <translation>Заявлено самим файлом</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="220" />
            <source>Read from the file itself when it was added. Files can lie: this metadata can be edited or faked. Treat it as a claim to check, not a fact.</source>
            <translation>Прочитано із самого файлу під час додавання. Файли можуть брехати: ці метадані можна змінити або підробити. Сприймайте їх як твердження, яке треба перевірити, а не як факт.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="224" />
            <source>The file makes no claims we can read.</source>
            <translation>Файл не містить тверджень, які можна прочитати.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="228" />
            <source>Content Credentials</source>
            <translation>Облікові дані вмісту (Content Credentials)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="242" />
            <source>SHA-256</source>
            <translation>SHA-256</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="243" />
            <source>The file's fingerprint, computed when it was added.</source>
            <translation>Відбиток файлу, обчислений під час додавання.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="245" />
            <source>Size</source>
            <translation>Розмір</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="247" />
            <source>File type</source>
            <translation>Тип файлу</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="248" />
            <source>&amp;Export…</source>
            <translation>&amp;Експортувати…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="249" />
            <source>Export a copy of the file</source>
            <translation>Експортувати копію файлу</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="251" />
            <source>Writes a decrypted copy where you choose. The export is recorded in the custody log.</source>
            <translation>Записує розшифровану копію туди, куди ви виберете. Експорт записується в журнал зберігання.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="255" />
            <source>Export progress</source>
            <translation>Поступ експорту</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="257" />
            <source>Cancel export</source>
            <translation>Скасувати експорт</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="258" />
            <source>Cancel the export</source>
            <translation>Скасувати експорт</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="259" />
            <source>Stops the export; no file is written.</source>
            <translation>Зупиняє експорт; файл не буде записано.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="261" />
            <source>Stored file</source>
            <translation>Збережений файл</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="263" />
            <source>SHA-256:</source>
            <translation>SHA-256:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="264" />
            <source>Size:</source>
            <translation>Розмір:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="265" />
            <source>Type:</source>
            <translation>Тип:</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="267" />
            <source>Export status</source>
            <translation>Стан експорту</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="277" />
            <source>File location</source>
            <translation>Де файл</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="285" />
            <source>#</source>
            <translation>№</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="285" />
            <source>Time</source>
            <translation>Час</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="285" />
            <source>Action</source>
            <translation>Дія</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="285" />
            <source>Device</source>
            <translation>Пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="285" />
            <source>User</source>
            <translation>Користувач</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="287" />
            <source>Custody history</source>
            <translation>Історія зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="291" />
            <source>Chain of custody</source>
            <translation>Ланцюг зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="345" />
            <source>(no name)</source>
            <translation>(без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="352" />
            <source>{size} ({bytes} bytes)</source>
            <translation>{size} (байтів: {bytes})</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="358" />
            <location filename="../../desktop/evidence_item.py" line="576" />
            <source>Saving…</source>
            <translation>Зберігається…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="376" />
            <source>Delivered, not on this laptop. The file was sent to the organisation's server and removed here, as the organisation's policy asks; its hash and custody stay. Ask a coordinator for a copy.</source>
            <translation>Доставлено, на цьому ноутбуці немає. Файл надіслано на сервер організації й видалено тут, як вимагає політика організації; його хеш і ланцюг зберігання залишаються. Попросіть координатора про копію.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="408" />
            <source>Date taken (EXIF)</source>
            <translation>Дата зйомки (EXIF)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="409" />
            <source>Creation time</source>
            <translation>Час створення</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="410" />
            <source>Creation date (PDF)</source>
            <translation>Дата створення (PDF)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="411" />
            <source>GPS latitude</source>
            <translation>Широта GPS</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="412" />
            <source>GPS longitude</source>
            <translation>Довгота GPS</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="413" />
            <source>Camera</source>
            <translation>Камера</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="414" />
            <source>Duration (seconds)</source>
            <translation>Тривалість (секунд)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="415" />
            <source>Pages</source>
            <translation>Сторінок</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="416" />
            <source>Width (pixels)</source>
            <translation>Ширина (пікселів)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="417" />
            <source>Height (pixels)</source>
            <translation>Висота (пікселів)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="418" />
            <source>Signer (Content Credentials)</source>
            <translation>Підписувач (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="419" />
            <source>Capture time (Content Credentials)</source>
            <translation>Час зйомки (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="420" />
            <source>Location (Content Credentials)</source>
            <translation>Місце (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="421" />
            <source>Author (Content Credentials)</source>
            <translation>Автор (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="422" />
            <source>Source type (Content Credentials)</source>
            <translation>Тип джерела (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="423" />
            <source>Made with (Content Credentials)</source>
            <translation>Створено за допомогою (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="424" />
            <source>Time-stamped (Content Credentials)</source>
            <translation>Позначка часу (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="425" />
            <source>Certificate issuer (Content Credentials)</source>
            <translation>Видавець сертифіката (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="426" />
            <source>Signature algorithm (Content Credentials)</source>
            <translation>Алгоритм підпису (облікові дані вмісту)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="435" />
            <source>Content Credentials (claimed by the file):</source>
            <translation>Облікові дані вмісту (Content Credentials, заявлено самим файлом):</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="437" />
            <source>an unnamed certificate</source>
            <translation>сертифікат без імені</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="439" />
            <source>{prefix} valid, signed by {signer} (on a trust list).</source>
            <translation>{prefix} дійсні, підписано: {signer} (є у списку довіри).</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="443" />
            <source>{prefix} valid, signed by {signer}. The signer is on no trust list: anyone can make a certificate with any name. Valid means the file is unchanged since it was signed.</source>
            <translation>{prefix} дійсні, підписано: {signer}. Підписувача немає в жодному списку довіри: будь-хто може створити сертифікат з будь-яким іменем. «Дійсні» означає, що файл не змінювався після підписання.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="447" />
            <source>no reason given</source>
            <translation>причину не вказано</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="449" />
            <source>{prefix} invalid: {codes}. The file may have been changed after it was signed, or its credentials are damaged, expired or forged.</source>
            <translation>{prefix} недійсні: {codes}. Файл могли змінити після підписання, або його облікові дані пошкоджені, прострочені чи підроблені.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="453" />
            <source>Content Credentials: none in this file.</source>
            <translation>Облікові дані вмісту (Content Credentials): у цьому файлі їх немає.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="456" />
            <source>Content Credentials: not read ({reason}).</source>
            <translation>Облікові дані вмісту (Content Credentials): не прочитано ({reason}).</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="482" />
            <source>Added to the vault</source>
            <translation>Додано до сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="483" />
            <source>Added again (already stored)</source>
            <translation>Додано повторно (уже збережено)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="484" />
            <source>Missing file added (attached to this record)</source>
            <translation>Додано відсутній файл (приєднано до цього запису)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="485" />
            <source>Viewed</source>
            <translation>Переглянуто</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="486" />
            <source>Exported</source>
            <translation>Експортовано</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="487" />
            <source>Record exported (a case export, without the file)</source>
            <translation>Запис експортовано (експорт справи, без файлу)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="488" />
            <source>Transferred</source>
            <translation>Передано</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="489" />
            <source>Verified</source>
            <translation>Перевірено</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="490" />
            <source>Deleted</source>
            <translation>Видалено</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="491" />
            <source>Delivered, removed from this laptop</source>
            <translation>Доставлено, видалено з цього ноутбука</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="553" />
            <source>No changes to save.</source>
            <translation>Немає змін для збереження.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="603" />
            <source>Saved.</source>
            <translation>Збережено.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="618" />
            <source>Export a copy of the evidence</source>
            <translation>Експорт копії доказу</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="632" />
            <source>Exporting…</source>
            <translation>Експорт…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="662" />
            <source>Cancelling…</source>
            <translation>Скасування…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="680" />
            <source>Export cancelled; no file was written.</source>
            <translation>Експорт скасовано; файл не записано.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="689" />
            <source>Exported to {path}</source>
            <translation>Експортовано до {path}</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_item.py" line="696" />
            <source>Not exported: {reason}</source>
            <translation>Не експортовано: {reason}</translation>
        </message>
    </context>
    <context>
        <name>EvidenceLinks</name>
        <message>
            <location filename="../../desktop/evidence_links.py" line="35" />
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="36" />
            <source>Incident</source>
            <translation>Інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="37" />
            <source>Person</source>
            <translation>Особа</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="38" />
            <source>Evidence</source>
            <translation>Доказ</translation>
        </message>
    </context>
    <context>
        <name>EvidenceLinksBox</name>
        <message>
            <location filename="../../desktop/evidence_links.py" line="60" />
            <source>Linked testimonies, incidents and persons</source>
            <translation>Пов'язані свідчення, інциденти й особи</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="66" />
            <source>Records this evidence is linked to</source>
            <translation>Записи, з якими пов'язано цей доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="69" />
            <source>Record to link this evidence to</source>
            <translation>Запис, з яким пов'язати цей доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="70" />
            <source>&amp;Link</source>
            <translation>&amp;Пов'язати</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="71" />
            <source>Link this evidence to the chosen record</source>
            <translation>Пов'язати цей доказ із вибраним записом</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="72" />
            <source>Remove link</source>
            <translation>Прибрати зв'язок</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="74" />
            <source>Link status</source>
            <translation>Стан зв'язку</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="149" />
            <source>Saving…</source>
            <translation>Зберігається…</translation>
        </message>
    </context>
    <context>
        <name>EvidencePanel</name>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="218" />
            <source>Evidence</source>
            <translation>Докази</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="220" />
            <source>Drag files here, or use the Add files button. Folders are not added: open them and select the files.</source>
            <translation>Перетягніть файли сюди або скористайтеся кнопкою «Додати файли». Теки не додаються: відкрийте теку й виберіть файли в ній.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="226" />
            <source>Evidence of the case</source>
            <translation>Докази справи</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="229" />
            <source>Name</source>
            <translation>Назва</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="229" />
            <source>Type</source>
            <translation>Тип</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="229" />
            <source>Size</source>
            <translation>Розмір</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="229" />
            <source>SHA-256</source>
            <translation>SHA-256</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="242" />
            <source>&amp;Add files…</source>
            <translation>&amp;Додати файли…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="243" />
            <source>Add files to the case</source>
            <translation>Додати файли до справи</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="244" />
            <source>&amp;Open</source>
            <translation>&amp;Відкрити</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="245" />
            <source>Open the selected evidence</source>
            <translation>Відкрити вибраний доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="246" />
            <source>Enter or a double-click also opens it.</source>
            <translation>Enter або подвійне клацання теж відкриває його.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="247" />
            <source>&amp;Move into the vault</source>
            <translation>&amp;Перемістити до сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="248" />
            <source>Move the files into the vault</source>
            <translation>Перемістити файли до сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="251" />
            <source>Delete each original once the same bytes are checked in the vault, also when they already were. On SSDs and memory cards this is not a secure erase.</source>
            <translation>Видаляти кожен оригінал, щойно ті самі байти перевірено у сховищі, зокрема коли вони вже були там. На SSD і картах пам'яті це не надійне стирання.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="262" />
            <source>Evidence messages</source>
            <translation>Повідомлення про докази</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="269" />
            <source>Overall progress</source>
            <translation>Загальний поступ</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="270" />
            <source>Cancel all</source>
            <translation>Скасувати все</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="271" />
            <source>Cancel adding all files</source>
            <translation>Скасувати додавання всіх файлів</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="357" />
            <source>Delivered, not on this laptop</source>
            <translation>Доставлено, на цьому ноутбуці немає</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="360" />
            <source>(no name)</source>
            <translation>(без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="402" />
            <source>Release to add the files to this case.</source>
            <translation>Відпустіть, щоб додати файли до цієї справи.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="435" />
            <source>Add evidence files</source>
            <translation>Додавання файлів-доказів</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="447" />
            <source>Choose a case first.</source>
            <translation>Спершу виберіть справу.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="473" />
            <source>Folders are not added (skipped folders: {count}). Open the folder and select the files in it.</source>
            <translation>Теки не додаються (пропущено тек: {count}). Відкрийте теку й виберіть файли в ній.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="478" />
            <source>Not files, skipped: {names}</source>
            <translation>Не файли, пропущено: {names}</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="481" />
            <source>Only files on this computer can be added (skipped: {count}).</source>
            <translation>Додавати можна лише файли з цього комп’ютера (пропущено: {count}).</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="513" />
            <source>Starting…</source>
            <translation>Початок…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="538" />
            <location filename="../../desktop/evidence_panel.py" line="605" />
            <source>Cancelled. Nothing was added.</source>
            <translation>Скасовано. Нічого не додано.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="576" />
            <source>Already in this case: not added again.</source>
            <translation>Уже є в цій справі: повторно не додано.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="578" />
            <source>Added: the file this record was missing, now attached to it.</source>
            <translation>Додано: файл, якого бракувало цьому запису, тепер приєднано до нього.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="580" />
            <source>Added: it was complete before the cancel reached it.</source>
            <translation>Додано: файл було збережено раніше, ніж спрацювало скасування.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="582" />
            <source>Added.</source>
            <translation>Додано.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="584" />
            <source>The original was deleted: the vault holds the same bytes.</source>
            <translation>Оригінал видалено: сховище містить ті самі байти.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="586" />
            <source>The original was kept: it changed while it was being added.</source>
            <translation>Оригінал залишено: він змінився під час додавання.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="588" />
            <source>The original was kept: the copy in the vault could not be checked.</source>
            <translation>Оригінал залишено: копію у сховищі не вдалося перевірити.</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="598" />
            <source>Not added: {reason}</source>
            <translation>Не додано: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="627" />
            <source>Files done: {finished} of {count}</source>
            <translation>Оброблено файлів: {finished} з {count}</translation>
        </message>
    </context>
    <context>
        <name>EvidenceViewer</name>
        <message>
            <location filename="../../desktop/viewer.py" line="109" />
            <source>Evidence viewer</source>
            <translation>Переглядач доказів</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="123" />
            <source>Item name</source>
            <translation>Назва доказу</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="129" />
            <source>Item type and size</source>
            <translation>Тип і розмір доказу</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="133" />
            <source>Viewer notice</source>
            <translation>Примітка переглядача</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="137" />
            <location filename="../../desktop/viewer.py" line="385" />
            <source>No item is open.</source>
            <translation>Жоден доказ не відкрито.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="208" />
            <source>{mime_type}, {size}</source>
            <translation>{mime_type}, {size}</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="209" />
            <location filename="../../desktop/viewer.py" line="219" />
            <source>unknown type</source>
            <translation>невідомий тип</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="217" />
            <source>This kind of file ({mime_type}) cannot be shown here. Export it to open it with another program.</source>
            <translation>Файл такого типу ({mime_type}) тут не можна показати. Експортуйте його, щоб відкрити іншою програмою.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="227" />
            <source>This PDF is too large to show here ({size}). Export it to open it with another program.</source>
            <translation>Цей PDF завеликий, щоб показати його тут ({size}). Експортуйте його, щоб відкрити іншою програмою.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="270" />
            <source>Opening…</source>
            <translation>Відкриття…</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="337" />
            <source>This image cannot be decoded. Export it to open it with another program.</source>
            <translation>Це зображення не вдається декодувати. Експортуйте його, щоб відкрити іншою програмою.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer.py" line="363" />
            <source>This item cannot be shown.</source>
            <translation>Цей доказ не можна показати.</translation>
        </message>
    </context>
    <context>
        <name>ExportCaseAction</name>
        <message>
            <location filename="../../desktop/export_dialog.py" line="360" />
            <source>E&amp;xport case…</source>
            <translation>Е&amp;кспорт справи…</translation>
        </message>
    </context>
    <context>
        <name>ExportDialog</name>
        <message>
            <location filename="../../desktop/export_dialog.py" line="72" />
            <source>PDF case report</source>
            <translation>Звіт у справі (PDF)</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="73" />
            <source>CSV (a folder of tables)</source>
            <translation>CSV (тека з таблицями)</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="74" />
            <source>JSON (one file)</source>
            <translation>JSON (один файл)</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="75" />
            <source>CSV for Uwazi's import</source>
            <translation>CSV для імпорту в Uwazi</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="76" />
            <source>BagIt evidence package (with the files)</source>
            <translation>Пакет доказів BagIt (з файлами)</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="83" />
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="84" />
            <source>Evidence</source>
            <translation>Доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="85" />
            <source>Person</source>
            <translation>Особа</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="86" />
            <source>Link</source>
            <translation>Зв’язок</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="89" />
            <source>consent for this purpose was withdrawn</source>
            <translation>згоду на цю мету відкликано</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="92" />
            <source>no consent for this purpose</source>
            <translation>немає згоди на цю мету</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="93" />
            <source>no consent recorded</source>
            <translation>згоду не записано</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="94" />
            <source>part of a withheld testimony</source>
            <translation>належить до утриманого свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="95" />
            <source>the consent excludes photos</source>
            <translation>згода не дозволяє фото</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="97" />
            <source>{kind} {id}: {reason}</source>
            <translation>{kind} {id}: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="183" />
            <source>Export the case</source>
            <translation>Експорт справи</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="186" />
            <source>An export is a copy outside the vault, unencrypted: keep it as carefully as the vault. It holds only what the witnesses consented to for the purpose you choose; what is left out is listed by id. Every export is recorded in the evidence's chain of custody.</source>
            <translation>Експорт — це незашифрована копія поза сховищем: зберігайте її так само дбайливо, як сховище. Вона містить лише те, на що свідки дали згоду для обраної мети; те, що не ввійшло, перелічено за ідентифікаторами. Кожен експорт записується в ланцюг зберігання доказів.</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="191" />
            <source>Format</source>
            <translation>Формат</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="192" />
            <source>Purpose</source>
            <translation>Мета</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="193" />
            <source>Options</source>
            <translation>Параметри</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="194" />
            <source>Folder</source>
            <translation>Тека</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="198" />
            <source>Witnesses by pseudonym only</source>
            <translation>Свідки лише під псевдонімами</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="199" />
            <source>Safe for spreadsheets (formulas get an apostrophe)</source>
            <translation>Безпечно для таблиць (формули — з апострофом)</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="200" />
            <source>Also photos without metadata (originals stay)</source>
            <translation>Також фото без метаданих (оригінали лишаються)</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="202" />
            <source>Choose a folder…</source>
            <translation>Вибрати теку…</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="203" />
            <source>Export</source>
            <translation>Експортувати</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="204" />
            <source>Cancel export</source>
            <translation>Скасувати експорт</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="205" />
            <source>Withheld by consent (not in the export):</source>
            <translation>Утримано через згоду (не ввійшло до експорту):</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="231" />
            <source>Where to put the export</source>
            <translation>Куди зберегти експорт</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="242" />
            <source>No folder chosen yet</source>
            <translation>Теку ще не вибрано</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="276" />
            <source>Exporting…</source>
            <translation>Експортування…</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="290" />
            <source>Cancelling…</source>
            <translation>Скасування…</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="301" />
            <source>Export cancelled: nothing was kept.</source>
            <translation>Експорт скасовано: нічого не збережено.</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="310" />
            <source>Exported to {path}
SHA-256: {sha256}
Withheld by consent: {count} record(s). Keep the export safe: it is not encrypted.</source>
            <translation>Експортовано до {path}
SHA-256: {sha256}
Утримано через згоду записів: {count}. Зберігайте експорт у безпеці: він не зашифрований.</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="321" />
            <source>Not in the package: {count} evidence file(s) delivered to the organisation's server and purged from this laptop ({ids}). Their records, SHA-256 and custody are in it; a coordinator holds the files.</source>
            <translation>Не в пакеті: файлів доказів — {count}; їх доставлено на сервер організації й видалено з цього ноутбука ({ids}). Їхні записи, SHA-256 і ланцюг зберігання є в пакеті; файли зберігає координатор.</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="393" />
            <source>An export was interrupted (the program stopped during it). Its unfinished copy held unencrypted data and was removed: {path}</source>
            <translation>Експорт було перервано (програма зупинилася під час нього). Його незавершена копія містила незашифровані дані й була видалена: {path}</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="399" />
            <source>An export was interrupted. Something other than its unfinished copy is now at {path}: it was left alone. Check it: it may hold unencrypted data.</source>
            <translation>Експорт було перервано. За адресою {path} тепер є щось інше, ніж його незавершена копія: його не чіпали. Перевірте це: там можуть бути незашифровані дані.</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="405" />
            <source>An export was interrupted. Its unfinished copy at {path} may hold unencrypted data and could not be checked now (is its drive attached?). It is looked for again at the next unlock.</source>
            <translation>Експорт було перервано. Його незавершена копія за адресою {path} може містити незашифровані дані, і зараз її не вдалося перевірити (чи під’єднано носій?). Її буде знову шукано під час наступного розблокування.</translation>
        </message>
        <message>
            <location filename="../../desktop/export_dialog.py" line="421" />
            <source>An export was interrupted</source>
            <translation>Експорт було перервано</translation>
        </message>
    </context>
    <context>
        <name>FieldvaultWindow</name>
        <message>
            <location filename="../../desktop/window.py" line="208" />
            <source>Fieldvault</source>
            <translation>Fieldvault</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="210" />
            <source>Lock the vault</source>
            <translation>Заблокувати сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="209" />
            <source>&amp;Vault</source>
            <translation>&amp;Сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="211" />
            <source>&amp;Settings…</source>
            <translation>&amp;Налаштування…</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="220" />
            <source>Emergency wipe</source>
            <translation>Екстрене знищення</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="308" />
            <source>Your passphrase is changed. The recovery key you typed no longer works: this is the new one.</source>
            <translation>Парольну фразу змінено. Введений ключ відновлення більше не діє: ось новий.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/window.py" line="328" />
            <source>%n evidence file(s) that no record in this vault refers to were moved to its quarantine folder. Nothing was deleted. If the vault's database was replaced by an older copy, put the newer one back to restore them.</source>
            <translation>
                <numerusform>%n файл доказів, на який не посилається жоден запис цього сховища, переміщено до його теки карантину. Нічого не видалено. Якщо базу даних сховища замінили старішою копією, поверніть новішу, щоб його відновити.</numerusform>
                <numerusform>%n файли доказів, на які не посилається жоден запис цього сховища, переміщено до його теки карантину. Нічого не видалено. Якщо базу даних сховища замінили старішою копією, поверніть новішу, щоб їх відновити.</numerusform>
                <numerusform>%n файлів доказів, на які не посилається жоден запис цього сховища, переміщено до його теки карантину. Нічого не видалено. Якщо базу даних сховища замінили старішою копією, поверніть новішу, щоб їх відновити.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/window.py" line="338" />
            <source>%n quarantined evidence file(s) belong to this vault again and were put back.</source>
            <translation>
                <numerusform>%n файл доказів із карантину знову належить цьому сховищу й повернутий на місце.</numerusform>
                <numerusform>%n файли доказів із карантину знову належать цьому сховищу й повернуті на місце.</numerusform>
                <numerusform>%n файлів доказів із карантину знову належать цьому сховищу й повернуті на місце.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="344" />
            <source>Evidence files moved</source>
            <translation>Файли доказів переміщено</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="480" />
            <source>The vault locked itself after a period without activity.</source>
            <translation>Сховище заблокувалося саме після періоду бездіяльності.</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="481" />
            <source>The vault locked itself because the computer was asleep.</source>
            <translation>Сховище заблокувалося саме, бо комп'ютер був у режимі сну.</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="482" />
            <source>The vault locked itself because the screen was locked.</source>
            <translation>Сховище заблокувалося саме, бо екран було заблоковано.</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="566" />
            <source>Locking…</source>
            <translation>Блокування…</translation>
        </message>
        <message>
            <location filename="../../desktop/window.py" line="586" />
            <source>The vault locked while another program kept it busy: the last changes may not have been kept.</source>
            <translation>Сховище заблокувалося, поки інша програма тримала його зайнятим: останні зміни могли не зберегтися.</translation>
        </message>
    </context>
    <context>
        <name>FrozenRecordsDialog</name>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="237" />
            <location filename="../../desktop/frozen_records_view.py" line="252" />
            <source>Frozen records</source>
            <translation>Заморожені записи</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="243" />
            <source>Records a revoked device wrote in. Held back here: this vault's revisions of it that the other desks do not get (the revoked device's, and every edit after them). Left out here: revisions of it other desks sent that this vault did not take. Either way the record differs between the desks until a coordinator re-roots it with Re-root… below.</source>
            <translation>Записи, до яких вносив зміни відкликаний пристрій. Утримано тут: версії запису в цьому сховищі, яких інші робочі місця не отримують (версії відкликаного пристрою і кожна зміна після них). Пропущено тут: версії запису, які надіслали інші робочі місця, але це сховище їх не прийняло. Так чи так запис на робочих місцях відрізняється, доки координатор не перевстановить його основу кнопкою «Перевстановити основу…» нижче.</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="254" />
            <source>Record</source>
            <translation>Запис</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="255" />
            <source>Type</source>
            <translation>Тип</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="256" />
            <source>Revoked device</source>
            <translation>Відкликаний пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="257" />
            <source>Held back here</source>
            <translation>Утримано тут</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="258" />
            <source>Left out here</source>
            <translation>Пропущено тут</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="259" />
            <source>Newest</source>
            <translation>Найновіше</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="266" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="268" />
            <source>Re-root…</source>
            <translation>Перевстановити основу…</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="269" />
            <source>Re-root the chosen record</source>
            <translation>Перевстановити основу вибраного запису</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="272" />
            <source>Sign one new version of the chosen record, made only of changes every desk holds, so that the desks show the same record again. You choose its content.</source>
            <translation>Підписати одну нову версію вибраного запису, що спирається лише на зміни, які мають усі робочі місця, щоб робочі місця знову показували однаковий запис. Її вміст вибираєте ви.</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="279" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="297" />
            <source>As it was before the revoked device's edits</source>
            <translation>Таким, яким він був до змін відкликаного пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="300" />
            <source>The revoked device's edits, and every later edit that followed them, are undone: the record returns to the last version all desks hold. Choose this when you do not trust what the revoked device wrote.</source>
            <translation>Зміни відкликаного пристрою і кожну пізнішу зміну після них скасовано: запис повертається до останньої версії, яку мають усі робочі місця. Виберіть це, якщо не довіряєте тому, що записав відкликаний пристрій.</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="305" />
            <source>As this desk holds it now</source>
            <translation>Таким, яким його зараз має це робоче місце</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="308" />
            <source>The record keeps what it says here, the revoked device's edits and the later ones included, now signed by this desk because you looked at it. Choose this when you have checked those edits and they are right. Only at a desk that holds them.</source>
            <translation>Запис зберігає те, що в ньому є тут, разом зі змінами відкликаного пристрою і пізнішими, тепер за підписом цього робочого місця, бо ви його переглянули. Виберіть це, якщо перевірили ці зміни і вони правильні. Лише на робочому місці, яке їх має.</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="322" />
            <source>Either way the old versions stay in the record's history, and the new one reaches the other desks with this desk's next bundle or sync. It cannot be taken back, only edited again.</source>
            <translation>Так чи так старі версії лишаються в історії запису, а нова дійде до інших робочих місць із наступним пакетом або синхронізацією цього робочого місця. Її не можна відкликати, лише знову змінити.</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="330" />
            <location filename="../../desktop/frozen_records_view.py" line="331" />
            <source>Sign anyway: these devices cannot read it yet</source>
            <translation>Підписати все одно: ці пристрої ще не можуть його прочитати</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="337" />
            <source>Re-root</source>
            <translation>Перевстановити основу</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="340" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="370" />
            <source>Re-root {record}: which content should the new version have?</source>
            <translation>Перевстановити основу запису {record}: який вміст має мати нова версія?</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="419" />
            <source>Re-rooting the record…</source>
            <translation>Перевстановлення основи запису…</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="459" />
            <source>as it was before the revoked edits</source>
            <translation>таким, яким він був до відкликаних змін</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="461" />
            <source>as this desk held it</source>
            <translation>таким, яким його мало це робоче місце</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="465" />
            <source>{record} re-rooted {how}. The new version goes to the other desks with this desk's next bundle or sync; each desk that takes it shows the same record again.</source>
            <translation>Основу запису {record} перевстановлено {how}. Нова версія дійде до інших робочих місць із наступним пакетом або синхронізацією цього робочого місця; кожне робоче місце, яке її прийме, знову показуватиме однаковий запис.</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="508" />
            <source>{count} (parked slots full)</source>
            <translation>{count} (місця для відкладених змін заповнені)</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="522" />
            <source>{count} ({later} later edit(s))</source>
            <translation>{count} (пізніших змін: {later})</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="528" />
            <source>not held here</source>
            <translation>немає в цьому сховищі</translation>
        </message>
    </context>
    <context>
        <name>FrozenSummary</name>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="108" />
            <source>Records frozen by revoked devices</source>
            <translation>Записи, заморожені відкликаними пристроями</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="110" />
            <source>Frozen records…</source>
            <translation>Заморожені записи…</translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="111" />
            <source>List the records frozen by revoked devices</source>
            <translation>Показати записи, заморожені відкликаними пристроями</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/frozen_records_view.py" line="151" />
            <source>%n record(s) with edits a coordinator here set aside by hand: kept as left out, never stored here, whoever signed them.</source>
            <translation>
                <numerusform>%n запис зі змінами, які координатор тут відклав убік вручну: вони лишаються пропущеними й ніколи не зберігаються тут, хоч би хто їх підписав.</numerusform>
                <numerusform>%n записи зі змінами, які координатор тут відклав убік вручну: вони лишаються пропущеними й ніколи не зберігаються тут, хоч би хто їх підписав.</numerusform>
                <numerusform>%n записів зі змінами, які координатор тут відклав убік вручну: вони лишаються пропущеними й ніколи не зберігаються тут, хоч би хто їх підписав.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/frozen_records_view.py" line="160" />
            <source>%n record(s) with edits left out here that no revoked device known here signed: they follow changes left out here (set aside, forged, or a revoked device's known only by its refused bundles).</source>
            <translation>
                <numerusform>%n запис зі змінами, пропущеними тут, які не підписав жоден відомий тут відкликаний пристрій: вони йдуть за змінами, пропущеними тут (відкладеними вбік, підробленими або змінами відкликаного пристрою, відомого лише з його відхилених пакетів).</numerusform>
                <numerusform>%n записи зі змінами, пропущеними тут, які не підписав жоден відомий тут відкликаний пристрій: вони йдуть за змінами, пропущеними тут (відкладеними вбік, підробленими або змінами відкликаного пристрою, відомого лише з його відхилених пакетів).</numerusform>
                <numerusform>%n записів зі змінами, пропущеними тут, які не підписав жоден відомий тут відкликаний пристрій: вони йдуть за змінами, пропущеними тут (відкладеними вбік, підробленими або змінами відкликаного пристрою, відомого лише з його відхилених пакетів).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/frozen_records_view.py" line="171" />
            <source>%n record(s) with edits left out here because the signer's parked slots were full, not because of a revocation: those edits are stored if they arrive again once the changes they follow are here.</source>
            <translation>
                <numerusform>%n запис зі змінами, пропущеними тут, бо місця для відкладених змін підписанта заповнені, а не через відкликання: ці зміни буде збережено, якщо вони надійдуть знову, коли тут будуть зміни, за якими вони йдуть.</numerusform>
                <numerusform>%n записи зі змінами, пропущеними тут, бо місця для відкладених змін підписанта заповнені, а не через відкликання: ці зміни буде збережено, якщо вони надійдуть знову, коли тут будуть зміни, за якими вони йдуть.</numerusform>
                <numerusform>%n записів зі змінами, пропущеними тут, бо місця для відкладених змін підписанта заповнені, а не через відкликання: ці зміни буде збережено, якщо вони надійдуть знову, коли тут будуть зміни, за якими вони йдуть.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/frozen_records_view.py" line="180" />
            <source>Each stays, at the desks without those edits, as it was before them, and a later edit of it does not reach the other desks. Look at the list and decide with your organisation what to do.</source>
            <translation>Кожен із них залишається на робочих місцях без цих змін таким, яким був до них, і пізніша його зміна не дійде до інших робочих місць. Перегляньте список і вирішіть разом зі своєю організацією, що робити.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/frozen_records_view.py" line="192" />
            <source>Revoked device {device}: %n record(s) frozen ({held} with edits held back here from the other desks, {left} with edits left out here).</source>
            <translation>
                <numerusform>Відкликаний пристрій {device}: заморожено %n запис ({held} зі змінами, утриманими тут від інших робочих місць, {left} зі змінами, пропущеними тут).</numerusform>
                <numerusform>Відкликаний пристрій {device}: заморожено %n записи ({held} зі змінами, утриманими тут від інших робочих місць, {left} зі змінами, пропущеними тут).</numerusform>
                <numerusform>Відкликаний пристрій {device}: заморожено %n записів ({held} зі змінами, утриманими тут від інших робочих місць, {left} зі змінами, пропущеними тут).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/frozen_records_view.py" line="200" />
            <source>Revoked device {device}: %n revision id(s) named by its refused bundles, kept so that edits descending from them are left out. They are not verified against a record: the device chose which records they name, so no record is listed for them.</source>
            <translation>
                <numerusform>Відкликаний пристрій {device}: %n ідентифікатор версії, названий у його відхилених пакетах, збережено, щоб зміни, які від них походять, пропускалися. Їх не звірено з жодним записом: пристрій сам вибрав, які записи вони називають, тож жоден запис для них не показано.</numerusform>
                <numerusform>Відкликаний пристрій {device}: %n ідентифікатори версій, названі в його відхилених пакетах, збережено, щоб зміни, які від них походять, пропускалися. Їх не звірено з жодним записом: пристрій сам вибрав, які записи вони називають, тож жоден запис для них не показано.</numerusform>
                <numerusform>Відкликаний пристрій {device}: %n ідентифікаторів версій, названих у його відхилених пакетах, збережено, щоб зміни, які від них походять, пропускалися. Їх не звірено з жодним записом: пристрій сам вибрав, які записи вони називають, тож жоден запис для них не показано.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>HandOverDialog</name>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="132" />
            <source>Hand over history</source>
            <translation>Передача історії</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="136" />
            <source>A coordinator desk added after your organisation's field workers sent bundles holds none of their records, and refuses their next bundles until it has this desk's history. Choose that desk and a folder on a USB stick: the bundle holds everything this desk holds, encrypted so that only that desk can read it.</source>
            <translation>Робоче місце координатора, додане після того, як польові працівники вашої організації надіслали пакети, не має жодного з їхніх записів і відхиляє їхні наступні пакети, доки не отримає історію цього робочого місця. Виберіть те робоче місце й теку на USB-флешці: пакет міститиме все, що має це робоче місце, зашифроване так, що прочитати його зможе лише те робоче місце.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="143" />
            <source>Coordinator desks</source>
            <translation>Робочі місця координаторів</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="144" />
            <source>Desk</source>
            <translation>Робоче місце</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="144" />
            <source>Device id</source>
            <translation>Ідентифікатор пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="144" />
            <source>Verification code</source>
            <translation>Код перевірки</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="162" />
            <source>Folder for the hand-over</source>
            <translation>Тека для передачі</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="163" />
            <source>a folder on the USB stick</source>
            <translation>тека на USB-флешці</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="164" />
            <source>Choose folder…</source>
            <translation>Вибрати теку…</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="165" />
            <source>Choose the folder for the hand-over</source>
            <translation>Виберіть теку для передачі</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="169" />
            <source>Hand-over progress</source>
            <translation>Хід передачі</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="171" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="174" />
            <source>Write the hand-over</source>
            <translation>Записати передачу</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="177" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="177" />
            <source>Cancel the hand-over</source>
            <translation>Скасувати передачу</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="179" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="185" />
            <source>Your organisation has no other coordinator desk. Add the new desk first (Coordinator → Add a device…), then hand the history over to it.</source>
            <translation>У вашій організації немає іншого робочого місця координатора. Спершу додайте нове робоче місце (Координатор → Додати пристрій…), а потім передайте йому історію.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="198" />
            <source>Choose the desk that gets the history first.</source>
            <translation>Спершу виберіть робоче місце, яке отримає історію.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="202" />
            <source>Choose a folder (for example on a USB stick) first.</source>
            <translation>Спершу виберіть теку (наприклад, на USB-флешці).</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="209" />
            <source>Writing the hand-over…</source>
            <translation>Запис передачі…</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="217" />
            <source>Stopping…</source>
            <translation>Зупинення…</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="235" />
            <source>Writing the hand-over, part {number} of {of}…</source>
            <translation>Запис передачі, частина {number} з {of}…</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="257" />
            <source>Cancelled. No hand-over was written; the numbers of the parts written before the cancel stay used, which does no harm.</source>
            <translation>Скасовано. Передачу не записано; номери частин, записаних до скасування, залишаються використаними, що нічому не шкодить.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="263" />
            <source>Cancelled. No hand-over was written and nothing in the vault changed.</source>
            <translation>Скасовано. Передачу не записано, і в сховищі нічого не змінилося.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="273" />
            <source>No hand-over was written; the vault is as it was.</source>
            <translation>Передачу не записано; сховище залишилося як було.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="283" />
            <source>Hand-over written for {desk} in {count} bundles (this desk's history is too large for one):
{names}
{revisions} record changes, the custody chains of {chains} device(s), {files} evidence files, {received} bundle(s) recorded.
Copy every one of these files. Eject the stick safely, then import them at that desk with Organisation → Import bundles…, all together and in the order listed: a part imported before the one listed above it is refused, and taken when imported again after it. Once the last is imported, its next sync takes the field workers' bundles.</source>
            <translation>Передачу для {desk} записано в {count} пакетах (історія цього робочого місця завелика для одного):
{names}
Змін записів: {revisions}, ланцюгів зберігання пристроїв: {chains}, файлів доказів: {files}, записаних пакетів: {received}.
Скопіюйте кожен із цих файлів. Безпечно вийміть флешку, потім імпортуйте їх на тому робочому місці через Організація → Імпорт пакетів…, усі разом і в наведеному порядку: частину, імпортовану раніше за ту, що наведена над нею, буде відхилено, і її буде прийнято, коли її імпортувати знову після тієї. Після імпорту останньої наступна синхронізація прийме пакети польових працівників.</translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="302" />
            <source>Hand-over written for {desk}: {name}
{revisions} record changes, the custody chains of {chains} device(s), {files} evidence files, {received} bundle(s) recorded.
Eject the stick safely, then import it at that desk with Organisation → Import bundles…. Its next sync then takes the field workers' bundles.</source>
            <translation>Передачу для {desk} записано: {name}
Змін записів: {revisions}, ланцюгів зберігання пристроїв: {chains}, файлів доказів: {files}, записаних пакетів: {received}.
Безпечно вийміть флешку, а потім імпортуйте передачу на тому робочому місці через Організація → Імпорт пакетів…. Після цього його наступна синхронізація прийме пакети польових працівників.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/hand_over_dialog.py" line="328" />
            <source>%n record change(s) of devices whose vouch lapsed here went too: the new desk keeps them aside until it enrols those devices (by their card, or a bundle approved by code).</source>
            <translation>
                <numerusform>%n зміну запису пристроїв, поручительство за які тут втратило силу, теж передано: нове робоче місце відкладе її, доки не зареєструє ці пристрої (за їхньою карткою або пакетом, схваленим за кодом).</numerusform>
                <numerusform>%n зміни записів пристроїв, поручительство за які тут втратило силу, теж передано: нове робоче місце відкладе їх, доки не зареєструє ці пристрої (за їхньою карткою або пакетом, схваленим за кодом).</numerusform>
                <numerusform>%n змін записів пристроїв, поручительство за які тут втратило силу, теж передано: нове робоче місце відкладе їх, доки не зареєструє ці пристрої (за їхньою карткою або пакетом, схваленим за кодом).</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/hand_over_dialog.py" line="337" />
            <source>Hand over &amp;history…</source>
            <translation>Передати &amp;історію…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/hand_over_dialog.py" line="319" />
            <source>%n record change(s) left out: signed by a device your organisation revoked, or edits of its records.</source>
            <translation>
                <numerusform>Пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів).</numerusform>
                <numerusform>Пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів).</numerusform>
                <numerusform>Пропущено змін записів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів).</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>HelpMenu</name>
        <message>
            <location filename="../../desktop/help_menu.py" line="131" />
            <source>&amp;Help</source>
            <translation>&amp;Довідка</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="132" />
            <source>&amp;User guide</source>
            <translation>&amp;Посібник користувача</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="133" />
            <source>&amp;About Fieldvault</source>
            <translation>&amp;Про Fieldvault</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="137" />
            <source>Fieldvault {version}

An offline-first encrypted vault for documenting war crimes.

Free software under the GNU Affero General Public License, version 3 or later ({licence}).

Fieldvault sends nothing anywhere by itself: no telemetry, no update checks. It connects only to your organisation's server, if you join one that has a server.</source>
            <translation>Fieldvault {version}

Зашифроване сховище для документування воєнних злочинів, що працює без мережі.

Вільне програмне забезпечення за ліцензією GNU Affero General Public License, версії 3 або пізнішої ({licence}).

Fieldvault сам нічого нікуди не надсилає: жодної телеметрії, жодних перевірок оновлень. Він з'єднується лише із сервером вашої організації, якщо ви приєдналися до організації, що має сервер.</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="148" />
            <source>About Fieldvault</source>
            <translation>Про Fieldvault</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="160" />
            <source>User guide</source>
            <translation>Посібник користувача</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="162" />
            <source>The user guide is not installed with this copy. It is the file docs/user-guide.md of Fieldvault's source, and comes with every release.</source>
            <translation>Посібник користувача не встановлено з цією копією. Це файл docs/user-guide.md у вихідному коді Fieldvault; він є в кожному випуску.</translation>
        </message>
    </context>
    <context>
        <name>HistoryView</name>
        <message>
            <location filename="../../desktop/history_view.py" line="109" />
            <location filename="../../desktop/history_view.py" line="274" />
            <source>Edit history</source>
            <translation>Історія змін</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="115" />
            <source>Versions of the testimony, newest first</source>
            <translation>Версії свідчення, найновіші спершу</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="121" />
            <source>What this version changed</source>
            <translation>Що змінено в цій версії</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="123" />
            <source>Narrative of the selected version, with its changes</source>
            <translation>Розповідь вибраної версії зі змінами</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="127" />
            <source>Underlined on green: added in this version. Struck through on red: removed.</source>
            <translation>Підкреслене на зеленому: додане в цій версії. Закреслене на червоному: вилучене.</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="169" />
            <source>Edit history: two versions conflict (saved at the same time on two devices)</source>
            <translation>Історія змін: дві версії суперечать одна одній (збережені одночасно на двох пристроях)</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="177" />
            <source>A conflicting version. Saving the testimony keeps what the editor shows and resolves the conflict.</source>
            <translation>Суперечлива версія. Якщо зберегти свідчення, залишиться те, що показує редактор, і конфлікт буде розв’язано.</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="192" />
            <source>deleted</source>
            <translation>видалено</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="194" />
            <source>created</source>
            <translation>створено</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="196" />
            <source>merged</source>
            <translation>об’єднано</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="198" />
            <source>edited</source>
            <translation>змінено</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="200" />
            <source>this device</source>
            <translation>цей пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="202" />
            <source>device {id}</source>
            <translation>пристрій {id}</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="205" />
            <source>⚠ conflicting version</source>
            <translation>⚠ суперечлива версія</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="205" />
            <source>current</source>
            <translation>поточна</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="229" />
            <source>Deleted. Reason: {reason}</source>
            <translation>Видалено. Причина: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="229" />
            <source>Deleted.</source>
            <translation>Видалено.</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="234" />
            <source>First version.</source>
            <translation>Перша версія.</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="240" />
            <source>Changed: {fields}</source>
            <translation>Змінено: {fields}</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="242" />
            <source>No field changed in this version.</source>
            <translation>У цій версії жодне поле не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="249" />
            <source>title</source>
            <translation>назва</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="250" />
            <source>witness</source>
            <translation>свідок</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="251" />
            <source>incident</source>
            <translation>інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="252" />
            <source>interviewer</source>
            <translation>інтерв’юер</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="253" />
            <source>date</source>
            <translation>дата</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="254" />
            <source>place</source>
            <translation>місце</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="255" />
            <source>language</source>
            <translation>мова</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="256" />
            <source>interpreter</source>
            <translation>перекладач</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="257" />
            <source>consent</source>
            <translation>згода</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="258" />
            <source>violation types</source>
            <translation>види порушень</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="259" />
            <source>notes</source>
            <translation>нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/history_view.py" line="260" />
            <source>narrative</source>
            <translation>розповідь</translation>
        </message>
    </context>
    <context>
        <name>ImagePage</name>
        <message>
            <location filename="../../desktop/viewer_image.py" line="23" />
            <location filename="../../desktop/viewer_image.py" line="27" />
            <source>Image</source>
            <translation>Зображення</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_image.py" line="88" />
            <source>Zoom: {percent} %</source>
            <translation>Масштаб: {percent} %</translation>
        </message>
    </context>
    <context>
        <name>IncidentEditor</name>
        <message>
            <location filename="../../desktop/incident_editor.py" line="148" />
            <source>New incident</source>
            <translation>Новий інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="65" />
            <source>Incident title</source>
            <translation>Назва інциденту</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="66" />
            <source>e.g. Shelling of the market</source>
            <translation>напр. Обстріл ринку</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="68" />
            <source>Incident date</source>
            <translation>Дата інциденту</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="68" />
            <source>Precision of the incident date</source>
            <translation>Точність дати інциденту</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="71" />
            <source>Appro&amp;ximate</source>
            <translation>При&amp;близно</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="72" />
            <source>The date is approximate</source>
            <translation>Дата приблизна</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="76" />
            <source>Incident place</source>
            <translation>Місце інциденту</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="77" />
            <source>Settlement, district, region</source>
            <translation>Населений пункт, район, область</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="79" />
            <source>Precision of the place</source>
            <translation>Точність місця</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="85" />
            <source>Latitude</source>
            <translation>Широта</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="86" />
            <source>e.g. 49.2081</source>
            <translation>напр. 49.2081</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="88" />
            <source>Longitude</source>
            <translation>Довгота</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="89" />
            <source>e.g. 37.2566</source>
            <translation>напр. 37.2566</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="94" />
            <source>Description</source>
            <translation>Опис</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="95" />
            <source>What happened, as far as it is known.</source>
            <translation>Що сталося, наскільки відомо.</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="100" />
            <source>Notes</source>
            <translation>Нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="101" />
            <source>Your notes on the incident</source>
            <translation>Ваші нотатки про інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="109" />
            <source>&amp;Title:</source>
            <translation>&amp;Назва:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="110" />
            <source>&amp;Date:</source>
            <translation>&amp;Дата:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="111" />
            <source>&amp;Place:</source>
            <translation>&amp;Місце:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="112" />
            <source>Place &amp;known to:</source>
            <translation>Місце &amp;відоме до:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="113" />
            <source>L&amp;atitude:</source>
            <translation>Ш&amp;ирота:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="114" />
            <source>Lo&amp;ngitude:</source>
            <translation>Дов&amp;гота:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="115" />
            <source>Violation t&amp;ypes:</source>
            <translation>Види пору&amp;шень:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="116" />
            <source>Descr&amp;iption:</source>
            <translation>&amp;Опис:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="117" />
            <source>Not&amp;es:</source>
            <translation>Нота&amp;тки:</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="150" />
            <source>Save incident</source>
            <translation>Зберегти інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="151" />
            <source>Saves the incident (Ctrl+S).</source>
            <translation>Зберігає інцидент (Ctrl+S).</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="152" />
            <source>Delete incident…</source>
            <translation>Видалити інцидент…</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="153" />
            <source>Delete incident</source>
            <translation>Видалити інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="163" />
            <source>Not known</source>
            <translation>Невідомо</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="164" />
            <source>Country</source>
            <translation>Країна</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="165" />
            <source>Region (oblast)</source>
            <translation>Область</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="166" />
            <source>District (raion)</source>
            <translation>Район</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="167" />
            <source>Settlement</source>
            <translation>Населений пункт</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="168" />
            <source>Exact place</source>
            <translation>Точне місце</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="149" />
            <source>Incident</source>
            <translation>Інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="211" />
            <source>Give the incident a title: the lists show it.</source>
            <translation>Дайте інциденту назву: її показують списки.</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="233" />
            <source>A number between -{limit} and {limit}, in decimal degrees.</source>
            <translation>Число від -{limit} до {limit}, у десяткових градусах.</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="155" />
            <source>Delete this incident? Testimonies that refer to it keep the link; its earlier versions stay in the history.</source>
            <translation>Видалити цей інцидент? Свідчення, що на нього посилаються, збережуть посилання; попередні версії залишаться в історії.</translation>
        </message>
        <message>
            <location filename="../../desktop/incident_editor.py" line="158" />
            <source>Incident deleted.</source>
            <translation>Інцидент видалено.</translation>
        </message>
    </context>
    <context>
        <name>IncidentsTab</name>
        <message>
            <location filename="../../desktop/record_tab.py" line="222" />
            <source>Incidents</source>
            <translation>Інциденти</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="223" />
            <source>Incidents of the selected case</source>
            <translation>Інциденти вибраної справи</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="224" />
            <source>New incident</source>
            <translation>Новий інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="225" />
            <source>Unsaved incident</source>
            <translation>Незбережений інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="226" />
            <source>This incident has changes that are not saved. Save them?</source>
            <translation>У цьому інциденті є незбережені зміни. Зберегти їх?</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="230" />
            <source>(untitled incident)</source>
            <translation>(інцидент без назви)</translation>
        </message>
    </context>
    <context>
        <name>IntakeRow</name>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="135" />
            <source>Waiting…</source>
            <translation>Очікує…</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="139" />
            <source>Progress of {name}</source>
            <translation>Поступ: {name}</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="140" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="141" />
            <source>Cancel adding {name}</source>
            <translation>Скасувати додавання {name}</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="162" />
            <source>Adding… {done} of {total}</source>
            <translation>Додається… {done} з {total}</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_panel.py" line="169" />
            <source>Cancelling…</source>
            <translation>Скасування…</translation>
        </message>
    </context>
    <context>
        <name>IssueTokenDialog</name>
        <message>
            <location filename="../../desktop/org_admin.py" line="574" />
            <source>Issue enrolment token</source>
            <translation>Видати токен реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="579" />
            <source>A token lets one new laptop join: its first bundle is accepted without waiting for you to add the device. It is good once and only until it expires. The QR code carries the organisation profile and the token; the worker still types the fingerprint you tell them.</source>
            <translation>Токен дозволяє приєднатися одному новому ноутбуку: його перший пакет приймається, не чекаючи, поки ви додасте пристрій. Він діє один раз і лише до закінчення строку. QR-код містить профіль організації й токен; відбиток, який ви повідомите, працівник однаково вводить сам.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="585" />
            <source>Valid for:</source>
            <translation>Діє:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="589" />
            <source> hours</source>
            <translation> год</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="590" />
            <source>Hours the token is valid</source>
            <translation>Скільки годин діє токен</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="593" />
            <source>Issue the token</source>
            <translation>Видати токен</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="600" />
            <source>Enrolment QR code</source>
            <translation>QR-код реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="604" />
            <source>Enrolment token</source>
            <translation>Токен реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="606" />
            <source>Copy</source>
            <translation>Копіювати</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="606" />
            <source>Copy the token</source>
            <translation>Копіювати токен</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="609" />
            <source>Text of the enrolment QR code</source>
            <translation>Текст QR-коду реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="613" />
            <source>Save QR as PNG…</source>
            <translation>Зберегти QR як PNG…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="613" />
            <source>Save the QR code as a PNG file</source>
            <translation>Зберегти QR-код як файл PNG</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="615" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="621" />
            <source>Anyone holding this token and the profile can join once: show the code to the worker in person, or save it only onto a stick you hand over yourself. The copied token is cleared from the clipboard when the vault locks.</source>
            <translation>Будь-хто, хто має цей токен і профіль, може один раз приєднатися: покажіть код працівникові особисто або збережіть його лише на флешку, яку передасте самі. Скопійований токен видаляється з буфера обміну, коли сховище блокується.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="627" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="636" />
            <source>Issuing the token…</source>
            <translation>Видача токена…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="660" />
            <source>Choose how long the token is valid, then issue it.</source>
            <translation>Виберіть, скільки діятиме токен, а тоді видайте його.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="671" />
            <source>The profile is too large for a QR code: give the worker the profile file and the token.</source>
            <translation>Профіль завеликий для QR-коду: передайте працівникові файл профілю й токен.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="679" />
            <source>Token {token} is good for one device until {time} (this computer's time).</source>
            <translation>Токен {token} діє для одного пристрою до {time} (за часом цього комп’ютера).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="689" />
            <source>Token copied.</source>
            <translation>Токен скопійовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="696" />
            <source>Choose the folder for the QR code</source>
            <translation>Виберіть теку для QR-коду</translation>
        </message>
    </context>
    <context>
        <name>KeptRereadsDialog</name>
        <message>
            <location filename="../../desktop/rereads_view.py" line="92" />
            <source>Kept re-reads</source>
            <translation>Збережені перечитування</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="98" />
            <source>Every re-read done at this desk, newest first: which bundle was read again, when, by whom, and what it stored that this desk lacked. Choose one to see the ids of the record changes and evidence items it stored.</source>
            <translation>Кожне перечитування, зроблене на цьому столі, від найновішого: який пакет прочитано знову, коли, ким і що воно зберегло з того, чого бракувало цьому столу. Виберіть одне, щоб побачити ідентифікатори змін записів і доказів, які воно зберегло.</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="105" />
            <source>Kept re-reads, newest first</source>
            <translation>Збережені перечитування, від найновішого</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="107" />
            <source>When</source>
            <translation>Коли</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="108" />
            <source>By</source>
            <translation>Хто</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="109" />
            <source>Bundle</source>
            <translation>Пакет</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="110" />
            <source>Record changes stored</source>
            <translation>Збережено змін записів</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="111" />
            <source>Parked changes stored</source>
            <translation>Збережено відкладених змін</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="112" />
            <source>Evidence files stored</source>
            <translation>Збережено файлів доказів</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="119" />
            <source>No re-read kept</source>
            <translation>Немає збережених перечитувань</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="124" />
            <source>The chosen re-read</source>
            <translation>Вибране перечитування</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="128" />
            <source>Ids of what the chosen re-read stored</source>
            <translation>Ідентифікатори того, що зберегло вибране перечитування</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="132" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="135" />
            <source>Refresh</source>
            <translation>Оновити</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="137" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="177" />
            <source>No re-read is kept at this desk. A re-read is a bundle this desk had received already, read again in full (Organisation → Import bundles…, Re-read) to store the record changes and evidence files it carries that this desk lacked.</source>
            <translation>Цей стіл не зберігає жодного перечитування. Перечитування — це пакет, який цей стіл уже отримав, прочитаний знову повністю (Організація → Імпорт пакетів…, Перечитати), щоб зберегти зміни записів і файли доказів у ньому, яких бракувало цьому столу.</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="186" />
            <source>#{sequence} of {device}</source>
            <translation>№{sequence} від {device}</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="196" />
            <source>Bundle {bundle}
Device {device}</source>
            <translation>Пакет {bundle}
Пристрій {device}</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="224" />
            <source>Re-read {number} on {when} by {user}: bundle {bundle}, number {sequence} of device {device}.</source>
            <translation>Перечитування {number}, {when}, користувач {user}: пакет {bundle}, номер {sequence} пристрою {device}.</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="239" />
            <source>Record changes of the bundle it stored</source>
            <translation>Зміни записів пакета, які воно зберегло</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="240" />
            <source>Record changes parked here before that it let be stored</source>
            <translation>Зміни записів, відкладені тут раніше, які воно дало зберегти</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="241" />
            <source>Evidence items whose files it stored</source>
            <translation>Докази, файли яких воно зберегло</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="243" />
            <source>none</source>
            <translation>немає</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="250" />
            <source>Nothing was new: this desk held everything the bundle carries.</source>
            <translation>Нічого нового: цей стіл мав усе, що є в пакеті.</translation>
        </message>
        <message>
            <location filename="../../desktop/rereads_view.py" line="281" />
            <source>&amp;Kept re-reads…</source>
            <translation>&amp;Збережені перечитування…</translation>
        </message>
    </context>
    <context>
        <name>LanguageChooser</name>
        <message>
            <location filename="../../desktop/unlock.py" line="97" />
            <source>&amp;Language:</source>
            <translation>&amp;Мова:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="98" />
            <source>Language of the interface</source>
            <translation>Мова інтерфейсу</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="99" />
            <source>Applies at once, and at the next start.</source>
            <translation>Діє одразу й під час наступних запусків.</translation>
        </message>
    </context>
    <context>
        <name>LinkedEvidenceBox</name>
        <message>
            <location filename="../../desktop/evidence_links.py" line="178" />
            <source>Linked evidence</source>
            <translation>Пов'язані докази</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="180" />
            <source>Evidence linked to this record</source>
            <translation>Докази, пов'язані з цим записом</translation>
        </message>
        <message>
            <location filename="../../desktop/evidence_links.py" line="182" />
            <location filename="../../desktop/evidence_links.py" line="201" />
            <source>No evidence linked. Link it from the evidence item.</source>
            <translation>Доказів не пов'язано. Пов'яжіть їх із картки доказу.</translation>
        </message>
    </context>
    <context>
        <name>MediaPage</name>
        <message>
            <location filename="../../desktop/viewer_media.py" line="78" />
            <source>Video</source>
            <translation>Відео</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="80" />
            <source>Audio recording</source>
            <translation>Аудіозапис</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="83" />
            <location filename="../../desktop/viewer_media.py" line="270" />
            <source>Play</source>
            <translation>Відтворити</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="84" />
            <source>Play or pause (Space)</source>
            <translation>Відтворити або призупинити (пробіл)</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="87" />
            <source>Position (Left and Right arrows seek 5 seconds)</source>
            <translation>Позиція (стрілки ліворуч і праворуч перемотують на 5 секунд)</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="89" />
            <source>Time</source>
            <translation>Час</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="251" />
            <source>{position} / {duration}</source>
            <translation>{position} / {duration}</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="270" />
            <source>Pause</source>
            <translation>Пауза</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="292" />
            <source>No sound device was found: the recording plays without sound.</source>
            <translation>Звуковий пристрій не знайдено: запис відтворюється без звуку.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="303" />
            <source>This recording cannot be played here ({reason}). Export it to open it with another program.</source>
            <translation>Цей запис тут не можна відтворити ({reason}). Експортуйте його, щоб відкрити іншою програмою.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="304" />
            <source>unknown error</source>
            <translation>невідома помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="90" />
            <source>Markers (choose one to go there):</source>
            <translation>Позначки (виберіть, щоб перейти туди):</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_media.py" line="92" />
            <source>Markers of the recording; Enter goes to the marker</source>
            <translation>Позначки запису; Enter переходить до позначки</translation>
        </message>
    </context>
    <context>
        <name>MessagePage</name>
        <message>
            <location filename="../../desktop/viewer_message.py" line="20" />
            <source>Viewer message</source>
            <translation>Повідомлення переглядача</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_message.py" line="21" />
            <source>Export…</source>
            <translation>Експортувати…</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_message.py" line="22" />
            <source>Export the item to a file</source>
            <translation>Експортувати доказ у файл</translation>
        </message>
    </context>
    <context>
        <name>Messages</name>
        <message>
            <location filename="../../desktop/messages.py" line="1253" />
            <source>A person cannot be marked as the same as itself ({id}). Nothing was changed.</source>
            <translation>Особу ({id}) не можна позначити як тотожну самій собі. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1354" />
            <source>Link {id} does not say that two persons are one, so it was not undone here. Nothing was changed.</source>
            <translation>Зв’язок {id} не позначає двох осіб як одну, тож тут його не скасовано. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="44" />
            <source>Wrong passphrase. Nothing was changed; try again.</source>
            <translation>Неправильна парольна фраза. Нічого не змінено; спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="48" />
            <source>That recovery key does not open this vault. Check it for typos: it has only letters and digits (dashes and spaces do not matter).</source>
            <translation>Цей ключ відновлення не відкриває це сховище. Перевірте, чи немає в ньому помилок: у ньому лише літери й цифри (дефіси та пробіли не мають значення).</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="56" />
            <source>This vault needs a secret from this computer's keyring, and the keyring does not have it (another computer or user account?). Unlock with the recovery key instead.</source>
            <translation>Цьому сховищу потрібен секрет зі зв’язки ключів цього комп’ютера, але його там немає (інший комп’ютер чи обліковий запис?). Натомість розблокуйте сховище ключем відновлення.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="64" />
            <source>The vault is locked. Unlock it with your passphrase.</source>
            <translation>Сховище заблоковано. Розблокуйте його своєю парольною фразою.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="68" />
            <source>There is no vault in {folder}. Check the folder, or create a new vault there.</source>
            <translation>У {folder} немає сховища. Перевірте теку або створіть у ній нове сховище.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="74" />
            <source>There is already a vault in {folder}; nothing was overwritten. Unlock it, or choose another folder.</source>
            <translation>У {folder} уже є сховище; нічого не перезаписано. Розблокуйте його або виберіть іншу теку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="81" />
            <source>{folder} holds a vault database but no key file (an interrupted creation, or vault.keys was removed). If you have a copy of vault.keys, put it back. Otherwise nothing can decrypt this database: delete the folder and create the vault again.</source>
            <translation>У {folder} є база даних сховища, але немає файлу ключів (створення перервалося або vault.keys видалено). Якщо у вас є копія vault.keys, поверніть її на місце. Інакше цю базу даних ніщо не розшифрує: видаліть теку й створіть сховище знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="90" />
            <source>The vault database (vault.db) in {folder} is missing, empty or incomplete. Nothing was changed and no evidence file was touched. Put back vault.db from the copy or backup it came from, then unlock again.</source>
            <translation>База даних сховища (vault.db) у {folder} відсутня, порожня або неповна. Нічого не змінено, жодного файлу доказів не зачеплено. Поверніть vault.db з копії чи резервної копії, звідки він походить, і розблокуйте знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="99" />
            <source>{folder} is not empty. A new vault needs an empty or new folder. Nothing was changed.</source>
            <translation>{folder} не порожня. Для нового сховища потрібна порожня або нова тека. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="105" />
            <source>{folder} is not a folder. Nothing was changed.</source>
            <translation>{folder} не є текою. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="111" />
            <source>{folder} is not a Fieldvault vault, so nothing there was changed.</source>
            <translation>{folder} не є сховищем Fieldvault, тож там нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="117" />
            <source>{folder} cannot be examined without writing to it. Nothing was changed. Make a copy of the folder and check the copy.</source>
            <translation>{folder} неможливо перевірити, не записавши туди. Нічого не змінено. Зробіть копію теки й перевірте копію.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="125" />
            <source>This vault is open for examination only (read-only): nothing can be changed.</source>
            <translation>Це сховище відкрито лише для перевірки (тільки читання): змінити нічого не можна.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="138" />
            <source>The vault file {name} is not encrypted, so it is not a Fieldvault vault, and it was not opened: someone may have replaced it. Leave the folder as it is and ask your organisation for help.</source>
            <translation>Файл сховища {name} не зашифрований, тож це не сховище Fieldvault, і його не відкрито: можливо, хтось його підмінив. Залиште теку як є та зверніться по допомогу до своєї організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="150" />
            <source>The copy of item {id} written into the vault did not match the file as it was read, so nothing was added. Your original file is untouched: add it again, and check the disk if this happens again.</source>
            <translation>Копія доказу {id}, записана до сховища, не збіглася з прочитаним файлом, тож нічого не додано. Ваш початковий файл не змінено: додайте його ще раз, а якщо це повториться, перевірте диск.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="159" />
            <source>Item {id} no longer matches the fingerprint (SHA-256) taken when it was added: it is damaged or was altered, and nothing was exported. The other items are not affected; restore this one from a bundle or backup.</source>
            <translation>Доказ {id} більше не відповідає відбитку (SHA-256), знятому під час додавання: його пошкоджено або змінено, тож нічого не експортовано. Інших доказів це не стосується; відновіть цей із пакета або резервної копії.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="168" />
            <source>The stored file {id} is damaged or was altered. The other items are not affected; restore this one from a bundle or backup.</source>
            <translation>Збережений файл {id} пошкоджено або змінено. Інших доказів це не стосується; відновіть цей із пакета або резервної копії.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="179" />
            <source>Part of the vault is damaged or was altered ({ids}). Nothing was changed. Check the vault (fieldvault verify) and restore what is damaged from a backup or bundle.</source>
            <translation>Частину сховища пошкоджено або змінено ({ids}). Нічого не змінено. Перевірте сховище (fieldvault verify) і відновіть пошкоджене з резервної копії або пакета.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="190" />
            <source>Bundle {bundle} was not imported: a record change this vault holds aside ({revision}) no longer checks out, although the bundle's copy did moments before. The fault is in this vault or this computer, not in the bundle; nothing of the bundle was applied. Import or sync again. If it fails again, check the vault (fieldvault verify; it cannot see what an import holds aside, so a clean result does not clear this), then restore it from a backup or ask your organisation for help.</source>
            <translation>Пакет {bundle} не імпортовано: зміна запису, яку це сховище тримає окремо ({revision}), більше не проходить перевірку, хоча копія в пакеті щойно її пройшла. Помилка в цьому сховищі або на цьому комп’ютері, а не в пакеті; нічого з пакета не застосовано. Імпортуйте або синхронізуйте знову. Якщо помилка повториться, перевірте сховище (fieldvault verify; воно не бачить того, що імпорт тримає окремо, тож чистий результат цього не знімає), а потім відновіть його з резервної копії або зверніться по допомогу до своєї організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="202" />
            <source>This vault has no key for exchanging bundles yet ({purpose}). Unlock it normally once (not for examination) to make it.</source>
            <translation>Це сховище ще не має ключа для обміну пакетами ({purpose}). Розблокуйте його один раз у звичайному режимі (не для огляду), щоб його створити.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="210" />
            <source>The vault's files are damaged or were altered, so it cannot be used as it is. Nothing was changed. Leave the folder as it is and restore it from a backup, or ask your organisation for help.</source>
            <translation>Файли сховища пошкоджено або змінено, тож користуватися ним у такому стані не можна. Нічого не змінено. Залиште теку як є та відновіть її з резервної копії або зверніться по допомогу до своєї організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="224" />
            <source>The disk is full, so this could not be finished. Nothing was lost: the vault still holds its state from before. Free some disk space, then try again.</source>
            <translation>Диск заповнений, тож завершити це не вдалося. Нічого не втрачено: сховище зберігає попередній стан. Звільніть місце на диску й спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="230" />
            <source>The disk reported an error while writing, so this could not be finished. Nothing was lost: the vault still holds its state from before. Check the drive (or the USB stick), then try again.</source>
            <translation>Під час запису диск повідомив про помилку, тож завершити це не вдалося. Нічого не втрачено: сховище зберігає попередній стан. Перевірте диск (або USB-накопичувач) і спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="237" />
            <source>Fieldvault may not write there (permission denied), so this could not be finished. Nothing was lost. Choose another place or check the folder's permissions, then try again.</source>
            <translation>Fieldvault не має права писати туди (доступ заборонено), тож завершити це не вдалося. Нічого не втрачено. Виберіть інше місце або перевірте права доступу до теки й спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="244" />
            <source>The disk is read-only, so this could not be finished. Nothing was lost. Choose a writable place, then try again.</source>
            <translation>Диск доступний лише для читання, тож завершити це не вдалося. Нічого не втрачено. Виберіть місце, придатне для запису, і спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="250" />
            <source>Another program (a second Fieldvault window or a command) was writing to the vault for too long, so this could not be finished. Nothing was lost. Wait a moment, then try again.</source>
            <translation>Інша програма (друге вікно Fieldvault або команда) надто довго записувала до сховища, тож це не вдалося завершити. Нічого не втрачено. Зачекайте трохи й спробуйте знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="257" />
            <source>The folder is not there (removed, or on a drive that was unplugged), so this could not be finished. Nothing was lost. Choose another place, then try again.</source>
            <translation>Теки немає (її видалено або диск від’єднано), тож завершити це не вдалося. Нічого не втрачено. Виберіть інше місце й спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="262" />
            <source>Writing to the disk failed (error {code}), so this could not be finished. Nothing was lost: the vault still holds its state from before. Check the drive, then try again.</source>
            <translation>Помилка запису на диск (код {code}), тож завершити це не вдалося. Нічого не втрачено: сховище зберігає попередній стан. Перевірте диск і спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="275" />
            <source>Case {id} is not in the vault (deleted, perhaps on another device). Choose another case.</source>
            <translation>Справи {id} немає у сховищі (її видалено, можливо, на іншому пристрої). Виберіть іншу справу.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="280" />
            <source>Testimony {id} is not in the vault (deleted, perhaps on another device). Choose another one from the list.</source>
            <translation>Свідчення {id} немає у сховищі (його видалено, можливо, на іншому пристрої). Виберіть інше зі списку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="286" />
            <source>Evidence item {id} is not in the vault (deleted, perhaps on another device). Choose another one from the list.</source>
            <translation>Доказу {id} немає у сховищі (його видалено, можливо, на іншому пристрої). Виберіть інший зі списку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="303" />
            <source>The stored file of evidence item {id} is missing from the vault. The record is kept; restore the file from a bundle or backup.</source>
            <translation>Збереженого файлу доказу {id} немає у сховищі. Запис про доказ залишився; відновіть файл із пакета або резервної копії.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="311" />
            <source>Evidence item {id} was delivered to the organisation's server and its file was removed from this laptop, as the organisation's policy asks. Its description, SHA-256 and custody stay here. Ask a coordinator for a copy of the file.</source>
            <translation>Елемент доказів {id} доставлено на сервер організації, і його файл видалено з цього ноутбука, як вимагає політика організації. Його опис, хеш і ланцюг зберігання залишаються тут. Попросіть координатора про копію файлу.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="297" />
            <source>Record {id} is not in the vault (deleted, perhaps on another device).</source>
            <translation>Запису {id} немає у сховищі (його видалено, можливо, на іншому пристрої).</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="131" />
            <source>Decision {id} did not move files to quarantine: there is nothing of it to restore.</source>
            <translation>Рішення {id} не переміщувало файли в карантин: з нього нічого відновлювати.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="292" />
            <source>Device {id} is not another coordinator desk of your organisation's profile (any more). Nothing was written. Add it as a coordinator first, or choose another desk.</source>
            <translation>Пристрій {id} не є іншим робочим місцем координатора в профілі вашої організації (або вже не є). Нічого не записано. Спершу додайте його як координатора або виберіть інше робоче місце.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="320" />
            <source>A change received from elsewhere (revision {id}) failed a check and was refused; nothing from it was stored. Tell your coordinator.</source>
            <translation>Зміна, отримана ззовні (ревізія {id}), не пройшла перевірку й відхилена; з неї нічого не збережено. Повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="328" />
            <source>A custody record in a bundle (event {hash}) failed a check and was refused; nothing from the bundle was stored. Tell your coordinator.</source>
            <translation>Запис ланцюга зберігання в пакеті (подія {hash}) не пройшов перевірки й був відхилений; нічого з пакета не збережено. Повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="336" />
            <source>A file in a bundle (SHA-256 {sha256}) failed a check and was refused; nothing from the bundle was stored. Ask for the bundle to be sent again.</source>
            <translation>Файл у пакеті (SHA-256 {sha256}) не пройшов перевірки й був відхилений; нічого з пакета не збережено. Попросіть надіслати пакет ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="344" />
            <source>Bundle {id} was refused: it comes from a device this vault does not know, or repeats a bundle already received with other content. Nothing from it was stored. Tell your coordinator.</source>
            <translation>Пакет {id} відхилено: він надійшов від пристрою, якого це сховище не знає, або повторює вже отриманий пакет з іншим вмістом. Нічого з нього не збережено. Повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="353" />
            <source>This organisation profile (version {offered}) is not newer than the one this vault holds (version {held}), so it was not used. Ask your coordinator for the current profile.</source>
            <translation>Цей профіль організації (версія {offered}) не новіший за той, що вже є у сховищі (версія {held}), тому його не використано. Попросіть у координатора чинний профіль.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="369" />
            <source>This file is not a Fieldvault bundle, or it was made by a newer version of Fieldvault. Nothing from it was stored. Check that you chose the right file; if you did, update Fieldvault and import it again.</source>
            <translation>Цей файл не є пакетом Fieldvault, або його створила новіша версія Fieldvault. Нічого з нього не збережено. Перевірте, чи ви вибрали потрібний файл; якщо так, оновіть Fieldvault і імпортуйте його знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="378" />
            <source>This bundle is damaged or incomplete (perhaps cut short while it was copied). Nothing from it was stored. Copy it again from where it came from, or ask for it to be sent again.</source>
            <translation>Цей пакет пошкоджений або неповний (можливо, обірвався під час копіювання). Нічого з нього не збережено. Скопіюйте його ще раз звідти, звідки він надійшов, або попросіть надіслати його знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="386" />
            <source>This bundle was changed after it was made, or its signature does not check out: it may have been tampered with. Nothing from it was stored. Keep the file as it is and tell your coordinator.</source>
            <translation>Цей пакет змінено після створення, або його підпис не проходить перевірки: можливо, його підробили. Нічого з нього не збережено. Збережіть файл як є і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="395" />
            <source>This bundle belongs to another organisation. Nothing from it was stored. Check that you chose the right file.</source>
            <translation>Цей пакет належить іншій організації. Нічого з нього не збережено. Перевірте, чи ви вибрали потрібний файл.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="403" />
            <source>This bundle comes from a device this vault does not know as enrolled in your organisation. Nothing from it was stored. If the sender should be enrolled, the coordinator adds their device first; then import the bundle again.</source>
            <translation>Цей пакет надійшов від пристрою, який це сховище не знає як зареєстрований у вашій організації. Нічого з нього не збережено. Якщо відправник має бути зареєстрований, спершу координатор додає його пристрій; тоді імпортуйте пакет знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="412" />
            <source>This bundle comes from a device whose access was revoked. Nothing from it was stored. Keep the file and tell your coordinator.</source>
            <translation>Цей пакет надійшов від пристрою, доступ якого відкликано. Нічого з нього не збережено. Збережіть файл і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="420" />
            <source>This bundle has the same number as another bundle already received from the same device, with other content. Nothing from it was stored. Keep the file and tell your coordinator: the device may have been copied or tampered with.</source>
            <translation>Цей пакет має той самий номер, що й інший пакет, уже отриманий від того самого пристрою, але інший вміст. Нічого з нього не збережено. Збережіть файл і повідомте свого координатора: пристрій могли скопіювати або втрутитися в нього.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="429" />
            <source>This bundle does not follow on from the last bundle received from the same device. Nothing from it was stored. Keep the file and tell your coordinator.</source>
            <translation>Цей пакет не продовжує останній пакет, отриманий від того самого пристрою. Нічого з нього не збережено. Збережіть файл і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="437" />
            <source>This bundle is one part of a history hand-over split over several bundles, and the part before it (bundle number {number} from the same desk) has not been imported here yet. Nothing from it was stored. Import the parts in order, or all of the hand-over's files together; then import this one again.</source>
            <translation>Цей пакет — одна з частин передачі історії, розділеної на кілька пакетів, а частину перед ним (пакет номер {number} від того самого робочого місця) тут ще не імпортовано. Нічого з нього не збережено. Імпортуйте частини по черзі або всі файли передачі разом; потім імпортуйте цей пакет знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="451" />
            <source>Bundle {bundle_id} comes from device {device_id}, which your organisation has not enrolled, and it carries no enrolment token. Nothing from it was stored; it is kept in quarantine. If the sender should be enrolled, phone them, compare the verification code their vault shows, and then approve the bundle.</source>
            <translation>Пакет {bundle_id} надійшов від пристрою {device_id}, який ваша організація не зареєструвала, і не містить токена реєстрації. Нічого з нього не збережено; його тримають у карантині. Якщо відправник має бути зареєстрований, зателефонуйте йому, порівняйте код перевірки, який показує його сховище, і тоді схваліть пакет.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="461" />
            <source>Bundle {bundle_id} names enrolment token {token_id}, which this coordinator did not issue. Nothing from it was stored; it is kept in quarantine. Approve it only after comparing the verification code with the sender by phone or in person.</source>
            <translation>Пакет {bundle_id} посилається на токен реєстрації {token_id}, який цей координатор не видавав. Нічого з нього не збережено; його тримають у карантині. Схваліть його лише після того, як порівняєте код перевірки з відправником телефоном або особисто.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="470" />
            <source>Bundle {bundle_id} claims enrolment token {token_id}, but its proof does not check out: the token may be forged, or the claim copied from someone else's bundle. Nothing from it was stored; it is kept in quarantine. Do not approve it unless the sender's verification code matches, and tell whoever looks after your organisation's security.</source>
            <translation>Пакет {bundle_id} посилається на токен реєстрації {token_id}, але його доказ не проходить перевірки: токен може бути підроблений, або цю заяву скопійовано з чужого пакета. Нічого з нього не збережено; його тримають у карантині. Не схвалюйте його, доки код перевірки відправника не збігається, і повідомте того, хто відповідає за безпеку вашої організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="480" />
            <source>Bundle {bundle_id} names enrolment token {token_id}, which expired before it was used. Nothing from it was stored; it is kept in quarantine. Compare the verification code with the sender, then approve the bundle, or send them a new token.</source>
            <translation>Пакет {bundle_id} посилається на токен реєстрації {token_id}, строк дії якого минув до того, як його використали. Нічого з нього не збережено; його тримають у карантині. Порівняйте код перевірки з відправником, а тоді схваліть пакет або надішліть йому новий токен.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="489" />
            <source>Bundle {bundle_id} names enrolment token {token_id}, which another device has already used. Nothing from it was stored; it is kept in quarantine. Someone may have copied the token: compare the verification code with the sender before you approve anything.</source>
            <translation>Пакет {bundle_id} посилається на токен реєстрації {token_id}, який уже використав інший пристрій. Нічого з нього не збережено; його тримають у карантині. Можливо, хтось скопіював токен: порівняйте код перевірки з відправником, перш ніж щось схвалювати.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="498" />
            <source>Bundle {bundle_id} comes from device {device_id}, which a history hand-over from coordinator desk {maker_id} names, and this desk has taken only part {part} of {parts} of it. Nothing from the bundle was stored; it is kept in quarantine until the rest of that hand-over, or any complete hand-over, is imported here, or until that desk is revoked. To take it now, compare the verification code with the worker, then approve the bundle.</source>
            <translation>Пакет {bundle_id} надійшов від пристрою {device_id}, який названо в передачі історії з робочого місця координатора {maker_id}, а це робоче місце отримало лише частину {part} з {parts} цієї передачі. З пакета нічого не збережено; він у карантині, доки сюди не буде імпортовано решту тієї передачі або будь-яку повну передачу, чи доки те робоче місце не буде відкликано. Щоб прийняти його зараз, звірте код перевірки з працівником, а тоді схваліть пакет.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="516" />
            <source>No bundle kept in quarantine matches {bundle}. Nothing was changed. Check the list of bundles in quarantine and choose one from it.</source>
            <translation>Жоден пакет у карантині не відповідає {bundle}. Нічого не змінено. Перегляньте список пакетів у карантині й виберіть пакет із нього.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="524" />
            <source>A verification code is 30 digits, in six groups of five. Nothing was approved. Ask the sender to read their code again, and type all of it.</source>
            <translation>Код перевірки складається з 30 цифр, шести груп по п’ять. Нічого не схвалено. Попросіть відправника прочитати код ще раз і введіть його повністю.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="532" />
            <source>That is not the verification code of device {device_id}. Nothing was approved. Read the codes again; if they still differ, the bundle did not come from the sender's laptop: do not approve it.</source>
            <translation>Це не код перевірки пристрою {device_id}. Нічого не схвалено. Прочитайте коди ще раз; якщо вони й далі різняться, пакет надійшов не з ноутбука відправника: не схвалюйте його.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="541" />
            <source>The file {path} is not (or no longer) bundle {bundle_id}. Nothing was approved. Choose the bundle file where it is now.</source>
            <translation>Файл {path} не є (або вже не є) пакетом {bundle_id}. Нічого не схвалено. Виберіть файл пакета там, де він є тепер.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="549" />
            <source>Device {device_id} was revoked, so its bundles cannot be approved. Nothing was changed.</source>
            <translation>Доступ пристрою {device_id} відкликано, тому його пакети не можна схвалити. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="556" />
            <source>This file is not a Fieldvault acknowledgement, or it is damaged. Nothing was changed. Ask your coordinator for the acknowledgement again.</source>
            <translation>Цей файл не є підтвердженням Fieldvault, або він пошкоджений. Нічого не змінено. Попросіть координатора надати підтвердження ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="564" />
            <source>This acknowledgement was changed after it was signed, or forged. Nothing was changed. Keep the file and tell your coordinator.</source>
            <translation>Це підтвердження змінено після підписання, або його підроблено. Нічого не змінено. Збережіть файл і повідомте координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="572" />
            <source>This acknowledgement belongs to another organisation ({org_id}). Nothing was changed. Check that you chose the right file.</source>
            <translation>Це підтвердження належить іншій організації ({org_id}). Нічого не змінено. Перевірте, чи ви вибрали потрібний файл.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="580" />
            <source>This acknowledgement is for device {device_id}, not for this laptop. Nothing was changed. Give it to the person it belongs to.</source>
            <translation>Це підтвердження призначене для пристрою {device_id}, а не для цього ноутбука. Нічого не змінено. Передайте його тому, кому воно належить.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="588" />
            <source>This acknowledgement is signed by device {device_id}, which is not a coordinator of your organisation. It may be forged. Nothing was changed; your next bundle will carry your work again. Tell your coordinator.</source>
            <translation>Це підтвердження підписав пристрій {device_id}, який не є координатором вашої організації. Можливо, його підроблено. Нічого не змінено; ваш наступний пакет знову міститиме вашу роботу. Повідомте координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="597" />
            <source>This acknowledgement names bundle {bundle_id}, which this laptop did not make. Nothing was changed. Check that you chose the right file.</source>
            <translation>Це підтвердження посилається на пакет {bundle_id}, якого цей ноутбук не створював. Нічого не змінено. Перевірте, чи ви вибрали потрібний файл.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="605" />
            <source>Bundle {bundle_id} was not imported into this vault, so it cannot be acknowledged. Import it first.</source>
            <translation>Пакет {bundle_id} не імпортовано в це сховище, тому його не можна підтвердити. Спершу імпортуйте його.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="615" />
            <source>This vault belongs to no organisation yet, so there is nowhere to sync to. Enrol with your organisation first.</source>
            <translation>Це сховище ще не належить жодній організації, тож синхронізуватися немає з ким. Спершу зареєструйтеся у своїй організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="623" />
            <source>Your organisation ({org_id}) has not named a server, so your work cannot be sent over the internet. Ask your coordinator for a profile with a server, or carry a bundle on a USB stick.</source>
            <translation>Ваша організація ({org_id}) не вказала сервера, тож вашу роботу неможливо надіслати через інтернет. Попросіть координатора про профіль із сервером або перенесіть пакет на флешці.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="632" />
            <source>The server {url} could not be reached. Your work is kept and waits in the queue: it is sent by itself when there is a connection. Nothing was lost.</source>
            <translation>Не вдалося з’єднатися із сервером {url}. Вашу роботу збережено, вона чекає в черзі: її буде надіслано самостійно, щойно з’явиться з’єднання. Нічого не втрачено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="640" />
            <source>A sync round is already running on this vault (the app's own, or one started from a terminal). This one did nothing; the app tries again by itself shortly. From a terminal, run it again once the other round has finished.</source>
            <translation>На цьому сховищі вже триває сеанс синхронізації (власний сеанс застосунку або запущений із термінала). Цей сеанс нічого не зробив; застосунок невдовзі спробує знову сам. У терміналі запустіть його знову, коли інший сеанс завершиться.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="649" />
            <source>The server {url} had a problem and did not finish. Your work is kept and waits in the queue; it is sent again later. Nothing was lost.</source>
            <translation>На сервері {url} сталася проблема, і він не завершив роботу. Вашу роботу збережено, вона чекає в черзі; її буде надіслано пізніше. Нічого не втрачено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="657" />
            <source>The server at {url} did not show the certificate your organisation pinned. Someone may be intercepting this connection, so nothing was sent. Do not sync over this network; tell your coordinator.</source>
            <translation>Сервер за адресою {url} не показав сертифіката, закріпленого вашою організацією. Можливо, хтось перехоплює це з’єднання, тож нічого не надіслано. Не синхронізуйтеся через цю мережу; повідомте координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="666" />
            <source>The answer from {url} is not what a Fieldvault server says (a hotel or café login page can do this). Nothing was applied and your work stays in the queue. Open a web page to log in to the network, or try another connection.</source>
            <translation>Відповідь від {url} — не те, що каже сервер Fieldvault (так буває зі сторінкою входу в мережу готелю чи кав’ярні). Нічого не застосовано, ваша робота залишається в черзі. Відкрийте вебсторінку, щоб увійти в мережу, або спробуйте інше з’єднання.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="675" />
            <source>The server at {url} signs its receipts with another key than before. Its receipts were not trusted and nothing was marked as delivered. Tell your coordinator.</source>
            <translation>Сервер за адресою {url} підписує свої квитанції іншим ключем, ніж раніше. Його квитанціям не довірено, і нічого не позначено як доставлене. Повідомте координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="683" />
            <source>Your organisation has revoked this laptop, so the server refuses its work. Nothing was sent. Talk to your coordinator.</source>
            <translation>Ваша організація відкликала цей ноутбук, тож сервер відмовляється приймати його роботу. Нічого не надіслано. Зверніться до координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="691" />
            <source>The server refused the work ({reason}). It stays in the queue on this laptop. Tell your coordinator this reason.</source>
            <translation>Сервер відмовився прийняти роботу ({reason}). Вона залишається в черзі на цьому ноутбуці. Повідомте координатору цю причину.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="699" />
            <source>The server's receipt for bundle {bundle_id} does not check out, so the bundle is not marked as delivered and stays in the queue. Tell your coordinator.</source>
            <translation>Квитанція сервера для пакета {bundle_id} не проходить перевірки, тож пакет не позначено як доставлений, і він залишається в черзі. Повідомте координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="707" />
            <source>The server's list of receipts does not fit together at entry {index}: it was changed or entries were removed. Nothing more was downloaded. Keep this vault as it is and tell the people responsible for your organisation's security.</source>
            <translation>Перелік квитанцій сервера не сходиться на записі {index}: його змінено або записи вилучено. Більше нічого не завантажено. Залиште це сховище як є і повідомте тих, хто відповідає за безпеку вашої організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="716" />
            <source>Bundle {bundle_id} arrived different from what the server's receipt names, so nothing of it was imported. It is downloaded again at the next sync.</source>
            <translation>Пакет {bundle_id} надійшов не таким, як зазначено у квитанції сервера, тож нічого з нього не імпортовано. Його буде завантажено знову під час наступної синхронізації.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="724" />
            <source>The server's stored copy of bundle {bundle_id} is gone or cannot be read, so nothing of it was imported. It is asked for again at later syncs; the server's operator can restore it from a backup.</source>
            <translation>Збережену на сервері копію пакета {bundle_id} втрачено або її не вдається прочитати, тож нічого з нього не імпортовано. Його запитуватимуть знову під час наступних синхронізацій; оператор сервера може відновити її з резервної копії.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="742" />
            <source>Sync stopped on an unexpected error ({kind}). Your work is kept and waits in the queue; sync tries again later. If this repeats, tell whoever supports the app the error type, never your data.</source>
            <translation>Синхронізація зупинилася через неочікувану помилку ({kind}). Вашу роботу збережено, вона чекає в черзі; синхронізація спробує знову пізніше. Якщо це повторюється, повідомте тим, хто підтримує застосунок, тип помилки, але ніколи — ваші дані.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="750" />
            <source>This bundle was not made for this vault (it is addressed to another coordinator). Nothing from it was stored. Import it in the vault it was made for, or ask for it to be sent to you again.</source>
            <translation>Цей пакет створено не для цього сховища (його адресовано іншому координаторові). Нічого з нього не збережено. Імпортуйте його в те сховище, для якого його створено, або попросіть надіслати його вам ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="759" />
            <source>A record in this bundle ({id}) does not match the bundle's list of contents, or its signature does not check out. Nothing from the bundle was stored. Keep the file and tell your coordinator.</source>
            <translation>Запис у цьому пакеті ({id}) не відповідає переліку вмісту пакета, або його підпис не проходить перевірки. Нічого з пакета не збережено. Збережіть файл і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="768" />
            <source>A record in this bundle ({id}) was signed by a device that may not write to this vault. Nothing from the bundle was stored. Keep the file and tell your coordinator.</source>
            <translation>Запис у цьому пакеті ({id}) підписав пристрій, якому не дозволено записувати в це сховище. Нічого з пакета не збережено. Збережіть файл і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="776" />
            <source>A custody record in this bundle ({id}) does not match the bundle's list of contents or does not follow the records before it. Nothing from the bundle was stored. Keep the file and tell your coordinator.</source>
            <translation>Запис ланцюга зберігання в цьому пакеті ({id}) не відповідає переліку вмісту пакета або не продовжує попередні записи. Нічого з пакета не збережено. Збережіть файл і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="785" />
            <source>An evidence file in this bundle (SHA-256 {sha256}) does not match the bundle's list of contents. Nothing from the bundle was stored. Ask for the bundle to be sent again; if this happens again, tell your coordinator.</source>
            <translation>Файл доказу в цьому пакеті (SHA-256 {sha256}) не відповідає переліку вмісту пакета. Нічого з пакета не збережено. Попросіть надіслати пакет ще раз; якщо це повториться, повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="794" />
            <source>{path} already exists, so no bundle was written. Choose another name.</source>
            <translation>{path} уже існує, тож пакет не записано. Виберіть іншу назву.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="800" />
            <source>The evidence file with SHA-256 {sha256} no longer reads back as it was stored, so no bundle was written. Check the vault (fieldvault verify) and tell your coordinator.</source>
            <translation>Файл доказу з SHA-256 {sha256} більше не зчитується таким, яким його збережено, тож пакет не записано. Перевірте сховище (fieldvault verify) і повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="808" />
            <source>Another bundle made at the same moment took bundle number {sequence}, so this bundle was not written and nothing was changed. Try again.</source>
            <translation>Інший пакет, створений у ту саму мить, зайняв номер пакета {sequence}, тому цей пакет не записано й нічого не змінено. Спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="837" />
            <source>This is not a valid organisation profile file. Nothing was changed. Check that you chose the file your coordinator sent.</source>
            <translation>Це не дійсний файл профілю організації. Нічого не змінено. Перевірте, чи ви вибрали файл, який надіслав ваш координатор.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="845" />
            <source>The signature of this organisation profile does not check out: it may have been changed or forged. Nothing was changed. Do not use it; ask your coordinator for the profile again.</source>
            <translation>Підпис цього профілю організації не проходить перевірки: можливо, його змінено або підроблено. Нічого не змінено. Не використовуйте його; попросіть у координатора профіль ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="854" />
            <source>That is not an organisation fingerprint: it has 32 letters and digits, in groups of four. Check it for typos (dashes and spaces do not matter).</source>
            <translation>Це не відбиток організації: він має 32 літери й цифри, групами по чотири. Перевірте, чи немає помилок (дефіси й пробіли не мають значення).</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="862" />
            <source>This organisation profile is signed by the key with fingerprint {actual}, not by the organisation whose fingerprint you were given ({expected}). It may be forged: do not use it. Nothing was changed. Check the fingerprint with your coordinator by phone or in person.</source>
            <translation>Цей профіль організації підписано ключем з відбитком {actual}, а не організацією, відбиток якої вам дали ({expected}). Можливо, його підроблено: не використовуйте його. Нічого не змінено. Звірте відбиток зі своїм координатором телефоном або особисто.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="872" />
            <source>This vault belongs to organisation {org_id}; what you chose belongs to another organisation, so it was not used. Nothing was changed.</source>
            <translation>Це сховище належить організації {org_id}; те, що ви вибрали, належить іншій організації, тож його не використано. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="880" />
            <source>This profile of organisation {org_id} is signed by another key than the one this vault knows: it may be forged. Nothing was changed. Tell your coordinator.</source>
            <translation>Цей профіль організації {org_id} підписано іншим ключем, ніж той, який знає це сховище: можливо, його підроблено. Нічого не змінено. Повідомте свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="888" />
            <source>This vault already belongs to organisation {org_id}, and a vault belongs to one organisation only. Nothing was changed.</source>
            <translation>Це сховище вже належить організації {org_id}, а сховище може належати лише одній організації. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="896" />
            <source>This vault belongs to no organisation yet. Create an organisation, or enrol this vault with your coordinator, first.</source>
            <translation>Це сховище ще не належить жодній організації. Спершу створіть організацію або зареєструйте це сховище у свого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="904" />
            <source>This vault is not a coordinator of organisation {org_id}, so it cannot do this. Nothing was changed. Ask a coordinator.</source>
            <translation>Це сховище не є координатором організації {org_id}, тож не може цього зробити. Нічого не змінено. Зверніться до координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="912" />
            <source>Only the desk that created organisation {org_id} holds its key, so only that desk can do this (add or remove a coordinator, revoke a device, issue a token, set the server or the policy). This coordinator desk does not hold the key. Nothing was changed. Ask the desk that created the organisation to do it.</source>
            <translation>Лише робоче місце, яке створило організацію {org_id}, має її ключ, тож лише воно може це зробити (додати чи вилучити координатора, відкликати пристрій, видати токен, задати сервер чи політику). Це робоче місце координатора не має ключа. Нічого не змінено. Попросіть про це робоче місце, яке створило організацію.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="922" />
            <source>Only the coordinator whose vault holds the key of organisation {org_id} takes enrolment tokens. Nothing was changed. Add the device without its token, after comparing the verification code with the worker.</source>
            <translation>Лише координатор, у сховищі якого є ключ організації {org_id}, приймає токени реєстрації. Нічого не змінено. Додайте пристрій без токена, звіривши код перевірки з працівником.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="931" />
            <source>Device {device_id} is this vault's own: a vault cannot add, remove or revoke itself. Nothing was changed.</source>
            <translation>Пристрій {device_id} — це власний пристрій цього сховища: сховище не може додати, вилучити або відкликати саме себе. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="939" />
            <source>That is not a device id: a device id has 32 hexadecimal digits (the vault's information shows it). Check it for typos.</source>
            <translation>Це не ідентифікатор пристрою: він має 32 шістнадцяткові цифри (їх показано у відомостях про сховище). Перевірте, чи немає помилок.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="956" />
            <source>An organisation's name is 1 to {maximum} characters on one line.</source>
            <translation>Назва організації — це від 1 до {maximum} символів в одному рядку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="962" />
            <source>That is not a device card. Copy the whole card that the field worker's vault showed at enrolment, and try again.</source>
            <translation>Це не картка пристрою. Скопіюйте повністю картку, яку показало сховище польового працівника під час реєстрації, і спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="970" />
            <source>Device {device_id} was revoked: it cannot be enrolled again or made a coordinator. Nothing was changed.</source>
            <translation>Пристрій {device_id} відкликано: його не можна знову зареєструвати або зробити координатором. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="978" />
            <source>That is not an enrolment token. Copy the whole token your coordinator sent, and try again.</source>
            <translation>Це не токен реєстрації. Скопіюйте повністю токен, який надіслав ваш координатор, і спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="985" />
            <source>This enrolment token was not signed by your organisation's key: it may be forged. Nothing was changed. Ask your coordinator for a new token.</source>
            <translation>Цей токен реєстрації не підписано ключем вашої організації: можливо, його підроблено. Нічого не змінено. Попросіть у координатора новий токен.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="993" />
            <source>This enrolment token belongs to another organisation ({org_id}). Nothing was changed. Check that the token and the organisation profile came from the same coordinator.</source>
            <translation>Цей токен реєстрації належить іншій організації ({org_id}). Нічого не змінено. Перевірте, чи токен і профіль організації надійшли від того самого координатора.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1001" />
            <source>Enrolment token {token_id} has expired. Ask your coordinator for a new one.</source>
            <translation>Термін дії токена реєстрації {token_id} минув. Попросіть у координатора новий.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1007" />
            <source>Enrolment token {token_id} was not issued by this coordinator's vault. Nothing was changed. Check that it is the right token.</source>
            <translation>Токен реєстрації {token_id} видало не сховище цього координатора. Нічого не змінено. Перевірте, чи це потрібний токен.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1015" />
            <source>Enrolment token {token_id} was already used by another device. Nothing was changed. Ask your coordinator for a new token, and tell them if you did not use it yourself.</source>
            <translation>Токен реєстрації {token_id} уже використав інший пристрій. Нічого не змінено. Попросіть у координатора новий токен і скажіть йому, якщо ви не використовували його самі.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1033" />
            <source>The vault did not accept this: a value is not one it can store. Nothing was changed.</source>
            <translation>Сховище цього не прийняло: одне зі значень не таке, яке воно може зберегти. Нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1042" />
            <source>{name} is not a regular file.</source>
            <translation>{name} не є звичайним файлом.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1046" />
            <source>Evidence {id} has no stored file, and its record has an edit and a deletion made apart. Resolve that conflict, then add the file again. Nothing was stored.</source>
            <translation>Доказ {id} не має збереженого файлу, а в його записі є редагування й видалення, зроблені окремо. Розв’яжіть цей конфлікт, а тоді додайте файл знову. Нічого не збережено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1054" />
            <source>{name}: no such file.</source>
            <translation>{name}: такого файлу немає.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1058" />
            <source>{name}: permission denied.</source>
            <translation>{name}: доступ заборонено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1062" />
            <source>{name} cannot be read, so nothing was added. Copy the file to this computer, then add it.</source>
            <translation>{name} неможливо прочитати, тож нічого не додано. Скопіюйте файл на цей комп’ютер, а тоді додайте його.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1069" />
            <source>{name} already exists; nothing was overwritten. Choose another name.</source>
            <translation>{name} уже існує; нічого не перезаписано. Виберіть іншу назву.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1075" />
            <source>Nothing can be exported to {name}, so nothing was written. Choose another place.</source>
            <translation>До {name} неможливо експортувати, тож нічого не записано. Виберіть інше місце.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1081" />
            <source>{name} is a link to another place; an export never writes through one, so nothing was written. Choose another name.</source>
            <translation>{name} — це посилання на інше місце; експорт ніколи не пише через посилання, тож нічого не записано. Виберіть іншу назву.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1089" />
            <source>{name} exists and is not a regular file; nothing was overwritten. Choose another name.</source>
            <translation>{name} існує і не є звичайним файлом; нічого не перезаписано. Виберіть іншу назву.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1096" />
            <source>That is the duress passphrase; choose another passphrase.</source>
            <translation>Це парольна фраза примусу; виберіть іншу парольну фразу.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1100" />
            <source>The duress passphrase must differ from the passphrase.</source>
            <translation>Парольна фраза примусу має відрізнятися від парольної фрази.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1104" />
            <source>The recovery key contains characters that cannot be in one: it has only letters and digits.</source>
            <translation>Ключ відновлення містить символи, яких у ньому бути не може: у ньому лише літери й цифри.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1111" />
            <source>The recovery key is mistyped (its check digits do not match). Check it again.</source>
            <translation>У ключі відновлення помилка (контрольні цифри не збігаються). Перевірте його ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1117" />
            <source>A date is written YYYY, YYYY-MM or YYYY-MM-DD, such as 2022, 2022-03 or 2022-03-15.</source>
            <translation>Дату записують як РРРР, РРРР-ММ або РРРР-ММ-ДД, наприклад 2022, 2022-03 чи 2022-03-15.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1123" />
            <source>A violation type is not in the list. Choose the types from the list.</source>
            <translation>Одного з типів порушень немає в переліку. Вибирайте типи з переліку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1129" />
            <source>A role is not in the list. Choose the roles from the list.</source>
            <translation>Однієї з ролей немає в переліку. Вибирайте ролі з переліку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1146" />
            <source>A value is not one of those offered. Choose one from the list.</source>
            <translation>Одне зі значень не з тих, що пропонуються. Виберіть значення з переліку.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1152" />
            <source>A case needs a title.</source>
            <translation>Справі потрібна назва.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1156" />
            <source>The language is a code such as uk or en.</source>
            <translation>Мову вказують кодом, наприклад uk або en.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1185" />
            <source>The passphrase needs at least {count} characters; nothing was changed.</source>
            <translation>Парольна фраза має містити щонайменше {count} символів; нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1191" />
            <source>Someone with a copy of the vault could guess this passphrase within a year: it is too short, too common or too predictable. Nothing was changed. Use several unusual words, for example the suggestion shown.</source>
            <translation>Той, хто має копію сховища, міг би вгадати цю парольну фразу протягом року: вона закоротка, надто поширена або передбачувана. Нічого не змінено. Використайте кілька незвичних слів, наприклад запропонований варіант.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1203" />
            <source>A backup cannot go into the vault's own folder ({folder}). Choose another place, such as a USB stick.</source>
            <translation>Резервну копію не можна зберегти в папці самого сховища ({folder}). Виберіть інше місце, наприклад флешку USB.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1210" />
            <source>{folder} is not a folder that can hold a backup; nothing was written. Choose a folder, such as a USB stick.</source>
            <translation>{folder} — не папка, у якій можна зберегти резервну копію; нічого не записано. Виберіть папку, наприклад на флешці USB.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1218" />
            <source>The backup reminder takes a whole number of days, from {minimum} to {maximum} (0: never remind).</source>
            <translation>Нагадування про резервну копію — ціле число днів від {minimum} до {maximum} (0 — ніколи не нагадувати).</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1225" />
            <source>Backup cancelled: the partial copy was removed. Make a backup again when you can.</source>
            <translation>Резервне копіювання скасовано: неповну копію видалено. Зробіть резервну копію знову, коли зможете.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1234" />
            <source>No font with Cyrillic letters was found for the report, so no report was written. Ask whoever set up this computer to install one (on Debian or Ubuntu: fonts-dejavu-core), then try again.</source>
            <translation>Для звіту не знайдено шрифту з кириличними літерами, тож звіт не створено. Попросіть того, хто налаштовує цей комп’ютер, установити такий шрифт, і спробуйте знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1242" />
            <source>An export cannot have the purpose “{purpose}”, so nothing was exported. Choose what the export is for: documentation only, the NGO internally, prosecution or public anonymised.</source>
            <translation>Експорт не може мати мету «{purpose}», тож нічого не експортовано. Виберіть, для чого експорт: лише документування, внутрішньо в НУО, кримінальне переслідування або публічно, анонімізовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1259" />
            <source>Record {id} is not frozen here: nothing of it is held back from the other desks or left out for a revocation. Nothing was signed.</source>
            <translation>Запис {id} тут не заморожений: нічого з нього не затримано від інших робочих місць і не пропущено через відкликання. Нічого не підписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1267" />
            <source>Record {id}: this desk does not hold the revoked device's edits, so it cannot keep them. Re-root it as it was before them, or at the desk that took them. Nothing was signed.</source>
            <translation>Запис {id}: це робоче місце не має змін відкликаного пристрою, тож не може їх зберегти. Перевстановіть основу запису таким, яким він був до них, або на робочому місці, яке їх прийняло. Нічого не підписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1275" />
            <source>Record {id} was created by a revoked device: there is no state before its edits. Re-root it as this desk holds it, or leave it. Nothing was signed.</source>
            <translation>Запис {id} створив відкликаний пристрій: стану до його змін немає. Перевстановіть основу запису таким, яким його має це робоче місце, або залиште як є. Нічого не підписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1283" />
            <source>Only a coordinator desk may re-root a record. Nothing was signed.</source>
            <translation>Перевстановити основу запису може лише робоче місце координатора. Нічого не підписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1289" />
            <source>Record {id}: more than {limit} revisions of the revoked line; one re-root cannot name them all. Nothing was signed.</source>
            <translation>Запис {id}: понад {limit} редакцій відкликаної лінії; одне перевстановлення основи не може назвати їх усі. Нічого не підписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1306" />
            <source>Choose how to re-root: as before the revoked edits, or as this desk holds it.</source>
            <translation>Виберіть, як перевстановити основу: як до відкликаних змін або як його має це робоче місце.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1297" />
            <source>Devices enrolled here that have not said they read a re-root: {count} ({devices}). Their app would refuse this desk's next bundles. Upgrade them and import a bundle from each first, or sign anyway. Nothing was signed.</source>
            <translation>Пристроїв, зареєстрованих тут, які не повідомили, що читають перевстановлення основи: {count} ({devices}). Їхній застосунок відхилить наступні пакети цього робочого місця. Спершу оновіть їх та імпортуйте пакет від кожного або підпишіть усе одно. Нічого не підписано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1315" />
            <source>Only a coordinator desk re-reads a bundle it received. Nothing was applied.</source>
            <translation>Лише стіл координатора перечитує отриманий ним пакет. Нічого не застосовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1321" />
            <source>Bundle {id} was never received here, so there is nothing to re-read. Import it as any bundle. Nothing was applied.</source>
            <translation>Пакет {id} тут ніколи не отримували, тож перечитувати нічого. Імпортуйте його як звичайний пакет. Нічого не застосовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1329" />
            <source>Bundle {id} is not the bundle this desk received under its device and number: another bundle, or one whose record or signed manifest here differs. Nothing was applied.</source>
            <translation>Пакет {id} — не той пакет, який цей стіл отримав під його пристроєм і номером: це інший пакет або такий, чий запис чи підписаний маніфест тут відрізняється. Нічого не застосовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1337" />
            <source>Bundle {id} is a history hand-over, which is not re-read. Ask that desk for a new hand-over. Nothing was applied.</source>
            <translation>Пакет {id} — це передача історії, її не перечитують. Попросіть той стіл про нову передачу. Нічого не застосовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1345" />
            <source>Bundle {id} comes from device {device}, which this desk holds as pending: the coordinator that vouched for it was removed. Enrol it again (compare its verification code and approve it), then re-read the bundle. Nothing was applied.</source>
            <translation>Пакет {id} надійшов від пристрою {device}, який цей стіл тримає як очікуваний: координатора, що поручився за нього, вилучено. Зареєструйте його знову (порівняйте його код перевірки й схваліть його), а тоді перечитайте пакет. Нічого не застосовано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1364" />
            <source>This recording was already stopped and saved. Start a new recording to go on.</source>
            <translation>Цей запис уже зупинено й збережено. Щоб продовжити, почніть новий запис.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1370" />
            <source>This installation lacks the recorder's audio library, so nothing was recorded. Reinstall Fieldvault; on Linux, install the libsndfile1 package.</source>
            <translation>У цьому встановленні бракує звукової бібліотеки записувача, тож нічого не записано. Перевстановіть Fieldvault; у Linux установіть пакет libsndfile1.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1378" />
            <source>The microphone delivers sound in a form the recorder cannot take, so nothing was recorded. Choose another microphone, or set this one to mono or stereo at 48 kHz in the system's sound settings.</source>
            <translation>Мікрофон подає звук у формі, якої записувач не приймає, тож нічого не записано. Виберіть інший мікрофон або налаштуйте цей на моно чи стерео 48 кГц у налаштуваннях звуку системи.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1390" />
            <source>Cancelled: nothing was added to the vault.</source>
            <translation>Скасовано: до сховища нічого не додано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1394" />
            <source>The export of item {id} was cancelled: no file was written.</source>
            <translation>Експорт доказу {id} скасовано: жодного файлу не записано.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1400" />
            <source>Cancelled: nothing was changed.</source>
            <translation>Скасовано: нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1633" />
            <source>Reading the item was stopped.</source>
            <translation>Читання доказу зупинено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1627" />
            <source>An unexpected error stopped this ({error_type}). Try again.</source>
            <translation>Непередбачена помилка перервала дію ({error_type}). Спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="733" />
            <source>The proxy setting for sync is not a SOCKS5 proxy address this app can use. Nothing was sent. Correct it under Organisation → Sync… as host:port (for Tor usually 127.0.0.1:9050) and sync again.</source>
            <translation>Налаштування проксі для синхронізації не є адресою проксі, яку може використати цей застосунок. Нічого не надіслано. Виправте його в меню «Організація → Синхронізація…» у формі вузол:порт (для мережі Тор зазвичай 127.0.0.1:9050) і синхронізуйтеся знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="816" />
            <source>The bundle could not be read: the helper process that decrypts it was stopped (status {status}), perhaps by the system for lack of memory. Nothing of this bundle was kept. The reading stopped on this computer, so the bundle itself was not judged. Close other programs and try again.</source>
            <translation>Не вдалося прочитати пакет: допоміжний процес, який його розшифровує, було зупинено (статус {status}), можливо, системою через брак пам’яті. Нічого з цього пакета не збережено. Читання зупинилося на цьому комп’ютері, тож сам пакет не перевірено. Закрийте інші програми й спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="825" />
            <source>The bundle could not be read: its bytes could not be exchanged with the helper process that decrypts it (error {errno}). Nothing of this bundle was kept. The reading stopped on this computer, so the bundle itself was not judged. Try again.</source>
            <translation>Не вдалося прочитати пакет: не вдалося обмінятися його байтами з допоміжним процесом, який його розшифровує (помилка {errno}). Нічого з цього пакета не збережено. Читання зупинилося на цьому комп’ютері, тож сам пакет не перевірено. Спробуйте ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="947" />
            <source>The server needs an address that begins with https://, the SHA-256 of its certificate (64 hexadecimal digits) and, if given, its receipt key (as the server printed it). Check them for typos.</source>
            <translation>Для сервера потрібні адреса, що починається з https://, SHA-256 його сертифіката (64 шістнадцяткові цифри) і, якщо вказано, його ключ квитанцій (так, як його вивів сервер). Перевірте їх на помилки.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1023" />
            <source>That is not the text of a Fieldvault enrolment QR code, or it is incomplete. Nothing was changed. Copy the whole text again, or choose the profile file.</source>
            <translation>Це не текст коду реєстрації Fieldvault, або він неповний. Нічого не змінено. Скопіюйте весь текст ще раз або виберіть файл профілю.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1160" />
            <source>A text is too long, or holds characters the vault cannot store. Shorten it or remove the unusual characters. Nothing was saved.</source>
            <translation>Текст задовгий або містить символи, яких сховище не може зберегти. Скоротіть його або приберіть незвичні символи. Нічого не збережено.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1168" />
            <source>The latitude is a number from -90 to 90.</source>
            <translation>Широта — це число від -90 до 90.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1172" />
            <source>The longitude is a number from -180 to 180.</source>
            <translation>Довгота — це число від -180 до 180.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1176" />
            <source>The automatic lock takes a whole number of minutes, from {minimum} to {maximum}.</source>
            <translation>Автоматичне блокування задається цілим числом хвилин, від {minimum} до {maximum}.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1649" />
            <source>An error stopped it ({code}). If this stays, tell your organisation.</source>
            <translation>Це зупинила помилка ({code}). Якщо так і залишиться, повідомте свою організацію.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1667" />
            <source>Bundle {bundle} was not imported and is held in quarantine again: a history hand-over this desk has taken only in part now names its device, and its bundles wait for the rest of that hand-over. Nothing of it was stored, it was not refused, and its file is kept; Coordinator → Devices… says which hand-over it waits for.</source>
            <translation>Пакет {bundle} не імпортовано, і його знову утримано в карантині: передача історії, яку це робоче місце отримало лише частково, тепер називає його пристрій, і його пакети чекають на решту цієї передачі. З нього нічого не збережено, його не відхилено, і його файл збережено; Координатор → Пристрої… показує, на яку передачу він чекає.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1674" />
            <source>Bundle {bundle} was not imported and is held in quarantine again: by the time its import began, its device was no longer verified on this computer (the coordinator who vouched for it was removed from your organisation, for one). Nothing of it was stored, it was not refused, and its file is kept. If the device should be enrolled, phone the worker, compare the verification code, then approve the bundle (fieldvault bundle approve); Coordinator → Devices… says what it waits for.</source>
            <translation>Пакет {bundle} не імпортовано, і його знову утримано в карантині: коли почався його імпорт, його пристрій уже не був перевіреним на цьому комп’ютері (наприклад, координатора, який поручився за нього, вилучено з вашої організації). З нього нічого не збережено, його не відхилено, і його файл збережено. Якщо пристрій має бути зареєстрований, зателефонуйте працівникові, порівняйте код перевірки, а тоді схваліть пакет (fieldvault bundle approve); Координатор → Пристрої… показує, на що він чекає.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1702" />
            <source>The keyring is not used.</source>
            <translation>Зв’язка ключів не використовується.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1696" />
            <source>No secure keyring on this system: the vault is protected by the passphrase alone. Choose a long passphrase.</source>
            <translation>У цій системі немає захищеної зв’язки ключів: сховище захищене лише парольною фразою. Виберіть довгу парольну фразу.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1692" />
            <source>Part of the key is kept in this computer's keyring ({backend}).</source>
            <translation>Частина ключа зберігається у зв’язці ключів цього комп’ютера ({backend}).</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1135" />
            <source>Tick at least one use the witness agreed to.</source>
            <translation>Позначте хоча б одне використання, на яке свідок погодився.</translation>
        </message>
        <message>
            <location filename="../../desktop/messages.py" line="1139" />
            <source>A withdrawal removes uses the witness still agrees to. To allow a new use, record a new consent.</source>
            <translation>Відкликання прибирає використання, на які свідок ще погоджується. Щоб дозволити нове використання, запишіть нову згоду.</translation>
        </message>
    </context>
    <context>
        <name>OrgAdmin</name>
        <message>
            <location filename="../../desktop/org_admin.py" line="78" />
            <source>Stopped; nothing was changed.</source>
            <translation>Зупинено; нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="124" />
            <source>{name} exists already in that folder; nothing was replaced. Choose another folder.</source>
            <translation>{name} уже є в цій теці; нічого не замінено. Виберіть іншу теку.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="128" />
            <source>{name} could not be written ({reason}).</source>
            <translation>{name} не вдалося записати ({reason}).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="131" />
            <source>Saved: {path}</source>
            <translation>Збережено: {path}</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="234" />
            <source>The new profile was sent to {url}.</source>
            <translation>Новий профіль надіслано на {url}.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="235" />
            <source>{url} could not be reached: the new profile was not sent yet (fieldvault org export sends it).</source>
            <translation>Не вдалося з’єднатися з {url}: новий профіль ще не надіслано (його надсилає fieldvault org export).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="239" />
            <source>{url} showed another certificate than the pinned one: the new profile was not sent. Check the address and the certificate fingerprint.</source>
            <translation>{url} показав інший сертифікат, ніж закріплений: новий профіль не надіслано. Перевірте адресу й відбиток сертифіката.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="244" />
            <source>{url} refused the new profile.</source>
            <translation>{url} відхилив новий профіль.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="245" />
            <source>{url} is too old for the new profile and refused it: nothing of it is in force there (a device revoked in it is not revoked at the server). Have the server updated, then send the profile again (fieldvault org export sends it).</source>
            <translation>{url} застарий для нового профілю і відхилив його: на сервері нічого з нього не діє (пристрій, відкликаний у ньому, на сервері не відкликано). Попросіть оновити сервер, а потім надішліть профіль знову (це робить fieldvault org export).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="753" />
            <source>&amp;Write acknowledgements to USB…</source>
            <translation>&amp;Записати підтвердження на USB…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_add_device.py" line="51" />
            <source>Device cards (*.txt);;All files (*)</source>
            <translation>Картки пристроїв (*.txt);;Усі файли (*)</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="742" />
            <source>Issue enrolment &amp;token…</source>
            <translation>Видати &amp;токен реєстрації…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_admin.py" line="748" />
            <source>&amp;Add a device…</source>
            <translation>&amp;Додати пристрій…</translation>
        </message>
    </context>
    <context>
        <name>OrgJoinDialog</name>
        <message>
            <location filename="../../desktop/org_join.py" line="377" />
            <source>Organisation</source>
            <translation>Організація</translation>
        </message>
    </context>
    <context>
        <name>OrgJoinForm</name>
        <message>
            <location filename="../../desktop/org_join.py" line="145" />
            <source>Choose the organisation profile</source>
            <translation>Виберіть профіль організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="146" />
            <source>Organisation profiles (*.fvorg);;Enrolment QR code text (*.txt);;All files (*)</source>
            <translation>Профілі організацій (*.fvorg);;Текст QR-коду реєстрації (*.txt);;Усі файли (*)</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="176" />
            <source>Join an organisation</source>
            <translation>Приєднатися до організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="179" />
            <source>Your coordinator gives you the organisation's profile (a file, or a QR code whose text you paste here) and, separately, its fingerprint. Bundles you make are then encrypted to your organisation's coordinators only.</source>
            <translation>Координатор дає вам профіль організації (файл або QR-код, текст якого ви вставляєте сюди) і окремо — її відбиток. Тоді створені вами пакети шифруються лише для координаторів вашої організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="185" />
            <source>Organisation profile file</source>
            <translation>Файл профілю організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="185" />
            <source>the .fvorg file from your coordinator</source>
            <translation>файл .fvorg від вашого координатора</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="188" />
            <source>Choose…</source>
            <translation>Вибрати…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="188" />
            <source>Choose the organisation profile file</source>
            <translation>Вибрати файл профілю організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="190" />
            <source>Profile file:</source>
            <translation>Файл профілю:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="192" />
            <source>Text of the enrolment QR code</source>
            <translation>Текст QR-коду реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="194" />
            <source>or paste the text of the QR code (fieldvault:enrol?…)</source>
            <translation>або вставте текст QR-коду (fieldvault:enrol?…)</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="196" />
            <source>Or &amp;QR code text:</source>
            <translation>Або текст &amp;QR-коду:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="199" />
            <source>Organisation fingerprint</source>
            <translation>Відбиток організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="201" />
            <source>&amp;Fingerprint:</source>
            <translation>&amp;Відбиток:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="204" />
            <source>Type the fingerprint your coordinator tells you in person or by phone. Do not copy it from the message or stick that brought the profile: whoever could change the profile on its way could change a fingerprint beside it. A profile signed by any other key is refused.</source>
            <translation>Введіть відбиток, який координатор повідомить вам особисто або телефоном. Не копіюйте його з повідомлення чи флешки, з якими прийшов профіль: хто міг змінити профіль дорогою, міг змінити й відбиток поруч. Профіль, підписаний будь-яким іншим ключем, буде відхилено.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="212" />
            <source>Enrolment token</source>
            <translation>Токен реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="212" />
            <source>optional: fvt1.… (a QR code's text may carry it)</source>
            <translation>необов'язково: fvt1.… (текст QR-коду може його містити)</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="214" />
            <source>&amp;Token:</source>
            <translation>&amp;Токен:</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="217" />
            <source>Join</source>
            <translation>Приєднатися</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="217" />
            <source>Join the organisation</source>
            <translation>Приєднатися до організації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="221" />
            <source>Checking the profile</source>
            <translation>Перевірка профілю</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="223" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="228" />
            <source>Your organisation</source>
            <translation>Ваша організація</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="232" />
            <location filename="../../desktop/org_join.py" line="235" />
            <source>Verification code</source>
            <translation>Код перевірки</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="239" />
            <source>Read this code out with your coordinator, by phone or in person: it must be the same on their screen. If it differs, stop and tell them: someone may have changed the profile or your device card on its way.</source>
            <translation>Звірте цей код зі своїм координатором телефоном або особисто: на їхньому екрані він має бути таким самим. Якщо він відрізняється, зупиніться й повідомте їх: хтось міг змінити профіль або картку вашого пристрою дорогою.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="245" />
            <source>Enrolment status</source>
            <translation>Стан реєстрації</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="247" />
            <source>This device's card</source>
            <translation>Картка цього пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="249" />
            <source>Copy the card</source>
            <translation>Копіювати картку</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="249" />
            <source>Copy this device's card</source>
            <translation>Копіювати картку цього пристрою</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="273" />
            <source>Choose the profile file or paste the QR code's text (one of them).</source>
            <translation>Виберіть файл профілю або вставте текст QR-коду (щось одне).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="276" />
            <source>Type the organisation fingerprint your coordinator told you.</source>
            <translation>Введіть відбиток організації, який вам повідомив координатор.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="289" />
            <source>Checking the profile…</source>
            <translation>Перевірка профілю…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="307" />
            <source>{name} could not be read ({reason}).</source>
            <translation>{name} не вдалося прочитати ({reason}).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="316" />
            <source>Stopped; nothing was changed.</source>
            <translation>Зупинено; нічого не змінено.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="323" />
            <source>You joined {name}.</source>
            <translation>Ви приєдналися до «{name}».</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="323" />
            <source>This vault belongs to {name}.</source>
            <translation>Це сховище належить до «{name}».</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="328" />
            <source>Profile version {version}; organisation fingerprint {fingerprint}.</source>
            <translation>Версія профілю {version}; відбиток організації {fingerprint}.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="334" />
            <source>This vault is a coordinator of the organisation.</source>
            <translation>Це сховище — координатор організації.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="338" />
            <source>Your coordinator still has to add this device before your bundles are accepted: give them this device's card (public keys only, nothing secret) and your enrolment token, which was checked.</source>
            <translation>Координатор ще має додати цей пристрій, перш ніж ваші пакети прийматимуться: передайте йому картку цього пристрою (лише відкриті ключі, нічого секретного) і ваш токен реєстрації, який перевірено.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="344" />
            <source>Your coordinator still has to add this device before your bundles are accepted: give them this device's card (public keys only, nothing secret).</source>
            <translation>Координатор ще має додати цей пристрій, перш ніж ваші пакети прийматимуться: передайте йому картку цього пристрою (лише відкриті ключі, нічого секретного).</translation>
        </message>
        <message>
            <location filename="../../desktop/org_join.py" line="352" />
            <source>To take a newer profile of your organisation, join again with it.</source>
            <translation>Щоб узяти новішу версію профілю вашої організації, приєднайтеся ще раз із нею.</translation>
        </message>
    </context>
    <context>
        <name>OrganisationMenu</name>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1051" />
            <source>&amp;Organisation</source>
            <translation>&amp;Організація</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1052" />
            <source>&amp;Join an organisation…</source>
            <translation>&amp;Приєднатися до організації…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1055" />
            <source>&amp;Export bundle to USB…</source>
            <translation>&amp;Експорт пакета на USB…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1056" />
            <source>&amp;Import bundles…</source>
            <translation>&amp;Імпорт пакетів…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1057" />
            <source>&amp;Sync…</source>
            <translation>&amp;Синхронізація…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1053" />
            <source>&amp;Create an organisation…</source>
            <translation>Ст&amp;ворити організацію…</translation>
        </message>
        <message>
            <location filename="../../desktop/bundle_actions.py" line="1054" />
            <source>&amp;Take acknowledgements (.fvack)…</source>
            <translation>П&amp;рийняти підтвердження (.fvack)…</translation>
        </message>
    </context>
    <context>
        <name>PartialDateField</name>
        <message>
            <location filename="../../desktop/form_fields.py" line="96" />
            <source>2022, 2022-03 or 2022-03-15 (15.03.2022)</source>
            <translation>2022, 2022-03 або 2022-03-15 (15.03.2022)</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="114" />
            <source>There is no such month. Use 2022, 2022-03 or 2022-03-15.</source>
            <translation>Такого місяця немає. Пишіть 2022, 2022-03 або 2022-03-15.</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="116" />
            <source>There is no such day in that month.</source>
            <translation>У цьому місяці немає такого дня.</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="118" />
            <source>This date is in the future.</source>
            <translation>Ця дата ще не настала.</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="120" />
            <source>The year must be 1900 or later.</source>
            <translation>Рік має бути не раніше 1900.</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="121" />
            <source>Type a year (2022), a month (2022-03) or a full date (2022-03-15 or 15.03.2022).</source>
            <translation>Введіть рік (2022), місяць (2022-03) або повну дату (2022-03-15 чи 15.03.2022).</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="127" />
            <source>not a date yet</source>
            <translation>ще не дата</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="130" />
            <source>date unknown</source>
            <translation>дата невідома</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="131" />
            <source>year only</source>
            <translation>лише рік</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="132" />
            <source>month and year</source>
            <translation>місяць і рік</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="133" />
            <source>exact day</source>
            <translation>точний день</translation>
        </message>
    </context>
    <context>
        <name>PassphraseSuggestion</name>
        <message>
            <location filename="../../desktop/strength.py" line="137" />
            <source>Suggestion: six words drawn at random. Easy to type, very hard to guess. Write them down until you know them, and keep the paper safe.</source>
            <translation>Пропозиція: шість випадково вибраних слів. Їх легко набирати і дуже важко вгадати. Запишіть їх, доки не запам'ятаєте, і зберігайте папірець у безпечному місці.</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="141" />
            <source>Another suggestion</source>
            <translation>Інша пропозиція</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="142" />
            <source>Use this passphrase</source>
            <translation>Використати цю парольну фразу</translation>
        </message>
    </context>
    <context>
        <name>PdfPage</name>
        <message>
            <location filename="../../desktop/viewer_pdf.py" line="42" />
            <source>PDF document</source>
            <translation>Документ PDF</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_pdf.py" line="44" />
            <source>Show more pages</source>
            <translation>Показати ще сторінки</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_pdf.py" line="69" />
            <source>Page {number}</source>
            <translation>Сторінка {number}</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_pdf.py" line="74" />
            <source>Pages 1–{shown} of {total}</source>
            <translation>Сторінки 1–{shown} з {total}</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_pdf.py" line="93" />
            <source>This PDF is protected by a password. Export it to open it with another program.</source>
            <translation>Цей PDF захищено паролем. Експортуйте його, щоб відкрити іншою програмою.</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_pdf.py" line="94" />
            <source>This PDF cannot be shown here. Export it to open it with another program.</source>
            <translation>Цей PDF тут не можна показати. Експортуйте його, щоб відкрити іншою програмою.</translation>
        </message>
    </context>
    <context>
        <name>PersonEditor</name>
        <message>
            <location filename="../../desktop/person_editor.py" line="144" />
            <source>New person</source>
            <translation>Нова особа</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="70" />
            <source>Pseudonym</source>
            <translation>Псевдонім</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="71" />
            <source>e.g. W-1: what lists show instead of the name</source>
            <translation>напр. С-1: це показують списки замість імені</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="73" />
            <source>Name</source>
            <translation>Ім'я</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="74" />
            <source>Shown only in this form</source>
            <translation>Показується лише в цій формі</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="83" />
            <source>Role: {role}</source>
            <translation>Роль: {role}</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="88" />
            <location filename="../../desktop/person_editor.py" line="89" />
            <location filename="../../desktop/person_editor.py" line="191" />
            <location filename="../../desktop/person_editor.py" line="202" />
            <location filename="../../desktop/person_editor.py" line="203" />
            <source>Show sensitive details</source>
            <translation>Показати чутливі дані</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="90" />
            <source>Date of birth, contact details, address…</source>
            <translation>Дата народження, контакти, адреса…</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="93" />
            <source>Sensitive details</source>
            <translation>Чутливі дані</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="95" />
            <source>One per line, e.g.
Date of birth: 1970
Phone: +380…
Address: …</source>
            <translation>По одному в рядку, напр.
Дата народження: 1970
Телефон: +380…
Адреса: …</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="107" />
            <source>Notes</source>
            <translation>Нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="108" />
            <source>Your notes on this person</source>
            <translation>Ваші нотатки про цю особу</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="115" />
            <source>&amp;Pseudonym:</source>
            <translation>&amp;Псевдонім:</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="116" />
            <source>&amp;Name:</source>
            <translation>&amp;Ім'я:</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="117" />
            <source>&amp;Roles:</source>
            <translation>&amp;Ролі:</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="118" />
            <source>Sensiti&amp;ve:</source>
            <translation>&amp;Чутливі:</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="119" />
            <source>Not&amp;es:</source>
            <translation>Нота&amp;тки:</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="146" />
            <source>Save person</source>
            <translation>Зберегти особу</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="147" />
            <source>Saves the person (Ctrl+S).</source>
            <translation>Зберігає особу (Ctrl+S).</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="148" />
            <source>Delete person…</source>
            <translation>Видалити особу…</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="149" />
            <source>Delete person</source>
            <translation>Видалити особу</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="159" />
            <source>Victim</source>
            <translation>Потерпілий</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="160" />
            <source>Witness</source>
            <translation>Свідок</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="161" />
            <source>Perpetrator</source>
            <translation>Кривдник</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="162" />
            <source>Other</source>
            <translation>Інше</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="191" />
            <source>Hide sensitive details</source>
            <translation>Сховати чутливі дані</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="145" />
            <source>Person</source>
            <translation>Особа</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="228" />
            <source>Give a pseudonym: lists show it instead of the name.</source>
            <translation>Вкажіть псевдонім: списки показують його замість імені.</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="232" />
            <source>Write each detail on its own line as label: value.</source>
            <translation>Пишіть кожне дане окремим рядком як назва: значення.</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="151" />
            <source>Delete this person? Testimonies that name them as witness keep the link; earlier versions stay in the history.</source>
            <translation>Видалити цю особу? Свідчення, де її вказано свідком, збережуть посилання; попередні версії залишаться в історії.</translation>
        </message>
        <message>
            <location filename="../../desktop/person_editor.py" line="154" />
            <source>Person deleted.</source>
            <translation>Особу видалено.</translation>
        </message>
    </context>
    <context>
        <name>PersonsTab</name>
        <message>
            <location filename="../../desktop/record_tab.py" line="246" />
            <source>Persons</source>
            <translation>Особи</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="247" />
            <source>Persons of the selected case, by pseudonym</source>
            <translation>Особи вибраної справи, за псевдонімами</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="248" />
            <source>New person</source>
            <translation>Нова особа</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="249" />
            <source>Unsaved person</source>
            <translation>Незбережена особа</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="250" />
            <source>This person has changes that are not saved. Save them?</source>
            <translation>У записі цієї особи є незбережені зміни. Зберегти їх?</translation>
        </message>
        <message>
            <location filename="../../desktop/record_tab.py" line="255" />
            <source>(no pseudonym)</source>
            <translation>(без псевдоніма)</translation>
        </message>
    </context>
    <context>
        <name>QFileDialog</name>
        <message>
            <location filename="../../desktop/i18n.py" line="55" />
            <source>&amp;Look in:</source>
            <translation>&amp;Шукати в:</translation>
        </message>
        <message>
            <location filename="../../desktop/i18n.py" line="56" />
            <source>Files of &amp;type:</source>
            <translation>&amp;Тип файлів:</translation>
        </message>
        <message>
            <location filename="../../desktop/i18n.py" line="57" />
            <source>Show </source>
            <translation>Показати </translation>
        </message>
    </context>
    <context>
        <name>QuickNoteAction</name>
        <message>
            <location filename="../../desktop/quick_note.py" line="223" />
            <source>Quick &amp;note…</source>
            <translation>Швидка &amp;нотатка…</translation>
        </message>
    </context>
    <context>
        <name>QuickNoteDialog</name>
        <message>
            <location filename="../../desktop/quick_note.py" line="87" />
            <source>Quick note</source>
            <translation>Швидка нотатка</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="90" />
            <source>Note title</source>
            <translation>Назва нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="91" />
            <source>e.g. Basement on Shkilna St., two witnesses</source>
            <translation>напр. Підвал на вул. Шкільній, двоє свідків</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="93" />
            <source>Note text</source>
            <translation>Текст нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="96" />
            <source>What you heard or saw. Complete it later in the full form.</source>
            <translation>Що ви почули чи побачили. Доповніть пізніше в повній формі.</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="99" />
            <source>Files attached to the note</source>
            <translation>Файли, додані до нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="101" />
            <source>Drop files here or attach them.</source>
            <translation>Перетягніть файли сюди або додайте їх.</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="102" />
            <source>&amp;Attach files…</source>
            <translation>&amp;Додати файли…</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="106" />
            <source>&amp;Save note</source>
            <translation>&amp;Зберегти нотатку</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="109" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="112" />
            <source>&amp;Title:</source>
            <translation>&amp;Назва:</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="113" />
            <source>Te&amp;xt:</source>
            <translation>&amp;Текст:</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="143" />
            <source>Attach files to the note</source>
            <translation>Додати файли до нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="168" />
            <source>Give the note a title.</source>
            <translation>Дайте нотатці назву.</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="172" />
            <source>Saving…</source>
            <translation>Збереження…</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="196" />
            <source>The note is saved. Not attached:</source>
            <translation>Нотатку збережено. Не додано:</translation>
        </message>
        <message>
            <location filename="../../desktop/quick_note.py" line="197" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
    </context>
    <context>
        <name>RecordForm</name>
        <message>
            <location filename="../../desktop/record_form.py" line="28" />
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/record_editor.py" line="178" />
            <source>Form status</source>
            <translation>Стан форми</translation>
        </message>
        <message>
            <location filename="../../desktop/record_editor.py" line="380" />
            <source>Not saved: check the marked fields.</source>
            <translation>Не збережено: перевірте позначені поля.</translation>
        </message>
        <message>
            <location filename="../../desktop/record_editor.py" line="403" />
            <source>Choose or create a case first.</source>
            <translation>Спершу виберіть або створіть справу.</translation>
        </message>
        <message>
            <location filename="../../desktop/record_editor.py" line="420" />
            <source>Saving…</source>
            <translation>Зберігається…</translation>
        </message>
        <message>
            <location filename="../../desktop/record_editor.py" line="478" />
            <source>Saved.</source>
            <translation>Збережено.</translation>
        </message>
        <message>
            <location filename="../../desktop/record_editor.py" line="507" />
            <source>Deleting…</source>
            <translation>Видаляється…</translation>
        </message>
    </context>
    <context>
        <name>RecordInterviewAction</name>
        <message>
            <location filename="../../desktop/recording_action.py" line="114" />
            <source>(untitled testimony)</source>
            <translation>(свідчення без назви)</translation>
        </message>
    </context>
    <context>
        <name>RecordInterviewDialog</name>
        <message>
            <location filename="../../desktop/recording_action.py" line="39" />
            <source>Record interview</source>
            <translation>Запис інтерв’ю</translation>
        </message>
        <message>
            <location filename="../../desktop/recording_action.py" line="40" />
            <source>Recording for the testimony: {title}</source>
            <translation>Запис до свідчення: {title}</translation>
        </message>
        <message>
            <location filename="../../desktop/recording_action.py" line="45" />
            <source>The sound goes straight into the encrypted vault; no copy is left anywhere else. Stop and save, closing this window or locking the vault keeps what was recorded as evidence linked to this testimony.</source>
            <translation>Звук іде просто в зашифроване сховище; ніде більше копії не лишається. «Зупинити й зберегти», закриття цього вікна чи блокування сховища зберігають записане як доказ, пов’язаний із цим свідченням.</translation>
        </message>
    </context>
    <context>
        <name>RecorderWidget</name>
        <message>
            <location filename="../../desktop/recorder.py" line="163" />
            <source>Ready to record.</source>
            <translation>Готово до запису.</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="166" />
            <source>Time recorded</source>
            <translation>Тривалість запису</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="170" />
            <source>Sound level</source>
            <translation>Рівень звуку</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="174" />
            <source>Marker note (optional)</source>
            <translation>Примітка до позначки (необов’язково)</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="171" />
            <source>&amp;Record</source>
            <translation>&amp;Записати</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="172" />
            <location filename="../../desktop/recorder.py" line="223" />
            <source>&amp;Pause</source>
            <translation>&amp;Пауза</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="175" />
            <source>Marker note; Enter adds the marker</source>
            <translation>Примітка до позначки; Enter додає позначку</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="176" />
            <source>Add &amp;marker</source>
            <translation>Додати позначк&amp;у</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="177" />
            <source>&amp;Stop and save</source>
            <translation>Зупинити й з&amp;берегти</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="223" />
            <source>Res&amp;ume</source>
            <translation>Пр&amp;одовжити</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="232" />
            <source>No microphone was found, so nothing is being recorded. Connect one (or allow this app to use it in the system's settings) and press Record again.</source>
            <translation>Мікрофон не знайдено, тож нічого не записується. Під’єднайте мікрофон (або дозвольте цій програмі користуватися ним у налаштуваннях системи) і знову натисніть «Записати».</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="244" />
            <source>The microphone cannot deliver sound in the form the recorder takes (48 kHz), so nothing is being recorded. Choose another microphone in the system's settings.</source>
            <translation>Мікрофон не може подавати звук у формі, яку приймає записувач (48 кГц), тож нічого не записується. Виберіть інший мікрофон у налаштуваннях системи.</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="270" />
            <location filename="../../desktop/recorder.py" line="301" />
            <source>Recording…</source>
            <translation>Іде запис…</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="299" />
            <source>Paused: nothing is recorded until you resume.</source>
            <translation>Пауза: нічого не записується, доки ви не продовжите.</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="321" />
            <source>Saving the recording…</source>
            <translation>Запис зберігається…</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="359" />
            <source>Marker added at {time}.</source>
            <translation>Позначку додано на {time}.</translation>
        </message>
        <message>
            <location filename="../../desktop/recorder.py" line="367" />
            <source>The recording is saved in the vault as evidence.</source>
            <translation>Запис збережено в сховищі як доказ.</translation>
        </message>
    </context>
    <context>
        <name>RecoverPage</name>
        <message>
            <location filename="../../desktop/recover_page.py" line="137" />
            <source>Recover with the recovery key</source>
            <translation>Відновлення за ключем відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="140" />
            <source>Type the recovery key you wrote down when the vault was made (letters and digits; dashes and spaces do not matter) and choose a new passphrase. The vault opens, and you get a new recovery key: the old one stops working.</source>
            <translation>Введіть ключ відновлення, який ви записали під час створення сховища (літери й цифри; дефіси та пробіли не мають значення), і виберіть нову парольну фразу. Сховище відкриється, і ви отримаєте новий ключ відновлення: старий перестане діяти.</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="145" />
            <source>Recovery &amp;key:</source>
            <translation>&amp;Ключ відновлення:</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="146" />
            <source>Recovery key</source>
            <translation>Ключ відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="147" />
            <source>Show the key while typing</source>
            <translation>Показувати ключ під час введення</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="149" />
            <source>&amp;New passphrase:</source>
            <translation>&amp;Нова парольна фраза:</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="150" />
            <source>New passphrase</source>
            <translation>Нова парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="151" />
            <source>Strength:</source>
            <translation>Надійність:</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="152" />
            <source>&amp;Repeat it:</source>
            <translation>&amp;Повторіть її:</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="153" />
            <source>Repeat the passphrase</source>
            <translation>Повторіть парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="155" />
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="156" />
            <source>Recovering the vault</source>
            <translation>Відновлення сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="157" />
            <source>Back to the passphrase</source>
            <translation>Назад до парольної фрази</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="158" />
            <location filename="../../desktop/recover_page.py" line="159" />
            <source>Recover and open</source>
            <translation>Відновити й відкрити</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="193" />
            <source>Type the recovery key.</source>
            <translation>Введіть ключ відновлення.</translation>
        </message>
        <message>
            <location filename="../../desktop/recover_page.py" line="197" />
            <source>The two passphrases differ. Type them again.</source>
            <translation>Парольні фрази не збігаються. Введіть їх ще раз.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKeyPage</name>
        <message>
            <location filename="../../desktop/unlock.py" line="464" />
            <source>Your recovery key</source>
            <translation>Ваш ключ відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="467" />
            <source>This key is shown only once. Write it on paper now and keep the paper apart from this computer. If you forget your passphrase, the recovery key is the only way back into the vault.</source>
            <translation>Цей ключ показано лише один раз. Запишіть його на папері зараз і зберігайте папір окремо від цього комп’ютера. Якщо ви забудете парольну фразу, ключ відновлення — єдиний спосіб повернутися до сховища.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="472" />
            <source>Recovery key</source>
            <translation>Ключ відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="473" />
            <source>Keyring</source>
            <translation>Зв’язка ключів</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="474" />
            <source>Save to a file…</source>
            <translation>Зберегти у файл…</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="475" />
            <source>Save the recovery key to a file</source>
            <translation>Зберегти ключ відновлення у файл</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="477" />
            <source>Choose a place away from this computer, such as a USB stick you keep elsewhere.</source>
            <translation>Виберіть місце поза цим комп'ютером, наприклад USB-накопичувач, який ви зберігаєте окремо.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="479" />
            <source>Print…</source>
            <translation>Друкувати…</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="480" />
            <source>Print the recovery key</source>
            <translation>Надрукувати ключ відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="481" />
            <location filename="../../desktop/unlock.py" line="482" />
            <source>I have written it down</source>
            <translation>Ключ записано</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="484" />
            <source>Then join my organisation (with the profile and fingerprint from my coordinator)</source>
            <translation>Потім приєднатися до моєї організації (з профілем і відбитком від мого координатора)</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="489" />
            <source>Fieldvault recovery key

{key}

With this key and a copy of the vault, anyone can open it. Keep it apart from the computer.
</source>
            <translation>Ключ відновлення Fieldvault

{key}

Із цим ключем і копією сховища будь-хто може його відкрити. Зберігайте ключ окремо від комп'ютера.
</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="494" />
            <source>Save the recovery key</source>
            <translation>Збереження ключа відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="505" />
            <source>Could not save the key ({reason}). Write it down instead.</source>
            <translation>Не вдалося зберегти ключ ({reason}). Запишіть його на папері.</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="510" />
            <source>Saved. Move that file away from this computer.</source>
            <translation>Збережено. Перенесіть цей файл подалі від цього комп'ютера.</translation>
        </message>
    </context>
    <context>
        <name>ReviewDialog</name>
        <message>
            <location filename="../../desktop/review_view.py" line="125" />
            <source>Review</source>
            <translation>Огляд</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="130" />
            <source>Records</source>
            <translation>Записи</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="131" />
            <source>Timeline</source>
            <translation>Хронологія</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="132" />
            <source>Custody</source>
            <translation>Ланцюг зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="139" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="159" />
            <source>Words</source>
            <translation>Слова</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="160" />
            <source>Words to search for (optional)</source>
            <translation>Слова для пошуку (необов'язково)</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="162" />
            <location filename="../../desktop/review_view.py" line="235" />
            <source>Case</source>
            <translation>Справа</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="163" />
            <source>All cases</source>
            <translation>Усі справи</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="166" />
            <source>From date</source>
            <translation>Дата від</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="167" />
            <source>From: YYYY, YYYY-MM or YYYY-MM-DD</source>
            <translation>Від: РРРР, РРРР-ММ або РРРР-ММ-ДД</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="169" />
            <source>To date</source>
            <translation>Дата до</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="170" />
            <source>To: YYYY, YYYY-MM or YYYY-MM-DD</source>
            <translation>До: РРРР, РРРР-ММ або РРРР-ММ-ДД</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="174" />
            <location filename="../../desktop/review_view.py" line="237" />
            <location filename="../../desktop/review_view.py" line="283" />
            <source>Place</source>
            <translation>Місце</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="175" />
            <source>Part of a place name</source>
            <translation>Частина назви місця</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="177" />
            <source>Violation type</source>
            <translation>Тип порушення</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="178" />
            <source>Any violation type</source>
            <translation>Будь-який тип порушення</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="183" />
            <location filename="../../desktop/review_view.py" line="238" />
            <location filename="../../desktop/review_view.py" line="303" />
            <source>Device</source>
            <translation>Пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="184" />
            <source>Any device</source>
            <translation>Будь-який пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="188" />
            <location filename="../../desktop/review_view.py" line="239" />
            <location filename="../../desktop/review_view.py" line="285" />
            <source>Evidence</source>
            <translation>Доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="189" />
            <source>With or without evidence</source>
            <translation>З доказами чи без</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="190" />
            <source>With evidence</source>
            <translation>З доказами</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="191" />
            <source>Without evidence</source>
            <translation>Без доказів</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="193" />
            <source>Record type</source>
            <translation>Тип запису</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="194" />
            <source>Testimonies, incidents and evidence</source>
            <translation>Свідчення, інциденти та докази</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="195" />
            <location filename="../../desktop/review_view.py" line="284" />
            <source>Testimonies</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="196" />
            <source>Incidents</source>
            <translation>Інциденти</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="197" />
            <source>Evidence items</source>
            <translation>Докази</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="201" />
            <source>&amp;Apply filters</source>
            <translation>&amp;Застосувати фільтри</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="203" />
            <source>C&amp;lear filters</source>
            <translation>&amp;Скинути фільтри</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="209" />
            <source>&amp;Words:</source>
            <translation>С&amp;лова:</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="213" />
            <source>Case and place:</source>
            <translation>Справа і місце:</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="214" />
            <source>Dates:</source>
            <translation>Дати:</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="215" />
            <source>Show:</source>
            <translation>Показати:</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="230" />
            <source>Matching records</source>
            <translation>Знайдені записи</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="233" />
            <source>Type</source>
            <translation>Тип</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="234" />
            <source>Title</source>
            <translation>Назва</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="236" />
            <source>Date</source>
            <translation>Дата</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="248" />
            <source>&amp;Previous page</source>
            <translation>&amp;Попередня сторінка</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="250" />
            <source>&amp;Next page</source>
            <translation>&amp;Наступна сторінка</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="253" />
            <source>Custody &amp;history</source>
            <translation>&amp;Історія зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="269" />
            <source>Group by</source>
            <translation>Групувати</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="270" />
            <source>By month</source>
            <translation>За місяцями</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="271" />
            <source>By day</source>
            <translation>За днями</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="278" />
            <source>Timeline of incidents</source>
            <translation>Хронологія інцидентів</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="281" />
            <source>When</source>
            <translation>Коли</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="282" />
            <location filename="../../desktop/review_view.py" line="443" />
            <source>Incident</source>
            <translation>Інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="296" />
            <source>Open an evidence item in Records to see its custody history.</source>
            <translation>Відкрийте доказ у вкладці «Записи», щоб побачити історію його зберігання.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="301" />
            <source>Custody history</source>
            <translation>Історія зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="303" />
            <source>Time (UTC)</source>
            <translation>Час (UTC)</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="303" />
            <source>Event</source>
            <translation>Подія</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="303" />
            <source>Details</source>
            <translation>Подробиці</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="303" />
            <source>Chain</source>
            <translation>Ланцюг</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="388" />
            <location filename="../../desktop/review_view.py" line="559" />
            <source>Reading…</source>
            <translation>Читання…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/review_view.py" line="401" />
            <source>More than %n record(s) match.</source>
            <translation>
                <numerusform>Підходить понад %n запис.</numerusform>
                <numerusform>Підходить понад %n записи.</numerusform>
                <numerusform>Підходить понад %n записів.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/review_view.py" line="403" />
            <source>%n record(s) match.</source>
            <translation>
                <numerusform>Підходить %n запис.</numerusform>
                <numerusform>Підходять %n записи.</numerusform>
                <numerusform>Підходять %n записів.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="405" />
            <source>No record matches these filters.</source>
            <translation>Жоден запис не відповідає цим фільтрам.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="411" />
            <source>Ranking was bounded: very many records match the words, and only the most recently added of them were ranked. Add a word to narrow the search.</source>
            <translation>Ранжування обмежено: словам відповідає дуже багато записів, і впорядковано лише найновіші з них. Додайте слово, щоб звузити пошук.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="416" />
            <source>Only the best matches of the words were filtered; the count counts those.</source>
            <translation>Відфільтровано лише найкращі збіги зі словами; кількість рахує тільки їх.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="434" />
            <source>yes</source>
            <translation>так</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="434" />
            <source>no</source>
            <translation>ні</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="442" />
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="444" />
            <source>Evidence item</source>
            <translation>Доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="450" />
            <source>Page %1</source>
            <translation>Сторінка %1</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="490" />
            <source>Date unknown</source>
            <translation>Дата невідома</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="492" />
            <source>%1 (month unknown)</source>
            <translation>%1 (місяць невідомий)</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/review_view.py" line="496" />
            <location filename="../../desktop/review_view.py" line="523" />
            <source>%n incident(s)</source>
            <translation>
                <numerusform>%n інцидент</numerusform>
                <numerusform>%n інциденти</numerusform>
                <numerusform>%n інцидентів</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="518" />
            <source>The first %1 of %2 incidents are listed; every group is counted.</source>
            <translation>Показано перші %1 з %2 інцидентів; кожну групу пораховано повністю.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="572" />
            <source>verifies</source>
            <translation>перевірено</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="572" />
            <source>⚠ does not verify</source>
            <translation>⚠ не проходить перевірку</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/review_view.py" line="582" />
            <source>%n event(s) from %1 device(s).</source>
            <translation>
                <numerusform>%n подія з пристроїв: %1.</numerusform>
                <numerusform>%n події з пристроїв: %1.</numerusform>
                <numerusform>%n подій з пристроїв: %1.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="589" />
            <source>Warning: the custody chain of %1 does not verify: its events may have been changed.</source>
            <translation>Увага: ланцюг зберігання пристрою %1 не проходить перевірку: його події могли бути змінені.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="592" />
            <source>Every chain verifies.</source>
            <translation>Усі ланцюги проходять перевірку.</translation>
        </message>
        <message>
            <location filename="../../desktop/review_view.py" line="635" />
            <source>&amp;Review…</source>
            <translation>&amp;Огляд…</translation>
        </message>
    </context>
    <context>
        <name>SearchBar</name>
        <message>
            <location filename="../../desktop/search_bar.py" line="48" />
            <source>Search testimonies, evidence, incidents and persons…</source>
            <translation>Пошук у свідченнях, доказах, інцидентах і особах…</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="49" />
            <source>Search</source>
            <translation>Пошук</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="52" />
            <source>Search results</source>
            <translation>Результати пошуку</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="100" />
            <source>Searching…</source>
            <translation>Пошук…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/search_bar.py" line="124" />
            <source>%n result(s)</source>
            <translation>
                <numerusform>%n результат</numerusform>
                <numerusform>%n результати</numerusform>
                <numerusform>%n результатів</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="124" />
            <source>No results.</source>
            <translation>Нічого не знайдено.</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="127" />
            <source>Very many records match: only the most recently added were ranked. Add a word to narrow the search.</source>
            <translation>Збігів дуже багато: упорядковано лише найновіші записи. Додайте слово, щоб звузити пошук.</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="139" />
            <source>Case</source>
            <translation>Справа</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="140" />
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="141" />
            <source>Incident</source>
            <translation>Інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="142" />
            <source>Person</source>
            <translation>Особа</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="143" />
            <source>Evidence</source>
            <translation>Доказ</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="144" />
            <source>Link</source>
            <translation>Зв’язок</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="154" />
            <source>Evidence link</source>
            <translation>Зв’язок доказу</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="158" />
            <source>(untitled case)</source>
            <translation>(справа без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="159" />
            <source>(untitled testimony)</source>
            <translation>(свідчення без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="160" />
            <source>(untitled incident)</source>
            <translation>(інцидент без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="161" />
            <source>(no pseudonym)</source>
            <translation>(без псевдоніма)</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="162" />
            <source>(no name)</source>
            <translation>(без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/search_bar.py" line="164" />
            <source>(untitled)</source>
            <translation>(без назви)</translation>
        </message>
    </context>
    <context>
        <name>SendBackDialog</name>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="184" />
            <source>Send back to field workers</source>
            <translation>Надіслати польовим працівникам</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="187" />
            <source>What your organisation's policy sends back</source>
            <translation>Що надсилає назад політика вашої організації</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="190" />
            <source>Field workers and what is due to each</source>
            <translation>Польові працівники і що належить надіслати кожному</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="191" />
            <source>Field worker</source>
            <translation>Польовий працівник</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="191" />
            <source>Due / result</source>
            <translation>Належить / результат</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="192" />
            <source>Result of the chosen field worker</source>
            <translation>Результат для вибраного польового працівника</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="200" />
            <source>Folder for the bundles</source>
            <translation>Папка для пакетів</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="201" />
            <source>a folder on the USB stick</source>
            <translation>папка на USB-накопичувачі</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="202" />
            <source>Choose folder…</source>
            <translation>Вибрати папку…</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="203" />
            <source>Choose the folder for the bundles</source>
            <translation>Виберіть папку для пакетів</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="207" />
            <source>Progress of the current bundle</source>
            <translation>Поступ поточного пакета</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="209" />
            <source>Summary</source>
            <translation>Підсумок</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="213" />
            <source>Write bundles</source>
            <translation>Записати пакети</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="214" />
            <source>Write the bundles of the chosen field workers, or of all with something due</source>
            <translation>Записати пакети вибраних польових працівників або всіх, кому щось належить</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="220" />
            <source>Write again for a lost stick</source>
            <translation>Записати знову (накопичувач загублено)</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="221" />
            <source>Write again everything sent before to the chosen field workers, or to all</source>
            <translation>Записати знову все, що раніше надсилалося вибраним польовим працівникам або всім</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="226" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="226" />
            <source>Cancel the bundles</source>
            <translation>Скасувати запис пакетів</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="228" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="239" />
            <source>Your organisation's policy sends nothing of other devices back to field workers. Profile updates and revocations travel as profile files.</source>
            <translation>Політика вашої організації не надсилає польовим працівникам нічого з інших пристроїв. Оновлення профілю та відкликання передаються як файли профілю.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="244" />
            <source>Your organisation's policy sends every record to every field worker, with the evidence files of the records new to them.</source>
            <translation>Політика вашої організації надсилає кожен запис кожному польовому працівникові, разом із файлами доказів записів, нових для нього.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="248" />
            <source>Your organisation's policy sends each field worker only the changes to records it already holds (a conflict's resolution, later edits), never another worker's other records, and no evidence files.</source>
            <translation>Політика вашої організації надсилає кожному польовому працівникові лише зміни до записів, які в нього вже є (розв'язання конфлікту, пізніші правки), ніколи — інших записів іншого працівника і жодних файлів доказів.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="259" />
            <source>Reading what is due…</source>
            <translation>Читання того, що належить надіслати…</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="267" />
            <source>nothing due</source>
            <translation>нічого надсилати</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="268" />
            <source>{records} record(s) due ({revisions} changes)</source>
            <translation>записів до надсилання: {records} (змін: {revisions})</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="282" />
            <source>Stopped before what is due was read.</source>
            <translation>Зупинено до того, як прочитано, що належить надіслати.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="296" />
            <source>This vault knows no enrolled field worker: there is no one to send to.</source>
            <translation>Це сховище не знає жодного зареєстрованого польового працівника: надсилати нікому.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="300" />
            <source>Nothing is due: every field worker has what the policy lets you send it.</source>
            <translation>Нічого надсилати: кожен польовий працівник має все, що політика дозволяє йому надіслати.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="305" />
            <source>{count} field worker(s) have something due. Choose a folder and write their bundles; select rows to write only theirs.</source>
            <translation>Польових працівників, яким щось належить: {count}. Виберіть папку і запишіть їхні пакети; виділіть рядки, щоб записати лише їхні.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="333" />
            <source>Choose a folder (for example on a USB stick) first.</source>
            <translation>Спершу виберіть папку (наприклад, на USB-накопичувачі).</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="336" />
            <source>Nothing is due: no bundle was written.</source>
            <translation>Нічого надсилати: жодного пакета не записано.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="341" />
            <location filename="../../desktop/send_back_dialog.py" line="378" />
            <source>waiting</source>
            <translation>очікує</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="344" />
            <source>Writing the bundles…</source>
            <translation>Запис пакетів…</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="354" />
            <source>Stopping…</source>
            <translation>Зупинення…</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="369" />
            <location filename="../../desktop/send_back_dialog.py" line="378" />
            <source>writing…</source>
            <translation>запис…</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="379" />
            <source>not written (stopped); no file of it was left</source>
            <translation>не записано (зупинено); жодного файлу не залишилося</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="385" />
            <source>Done: {count} bundle(s) written. Eject the stick safely; each worker imports its own bundle with Organisation → Import bundles…</source>
            <translation>Готово: записано пакетів: {count}. Безпечно вийміть накопичувач; кожен працівник імпортує свій пакет через Організація → Імпорт пакетів…</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="389" />
            <source>Stopped. No file was left of the bundle being written; the bundles marked written are whole.</source>
            <translation>Зупинено. Від пакета, що записувався, не залишилося жодного файлу; пакети, позначені як записані, цілі.</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="401" />
            <source>written, {records} records ({revisions} changes), {files} evidence files, {vouched} device(s) vouched for: {name}</source>
            <translation>записано, записів: {records} (змін: {revisions}), файлів доказів: {files}, поручено за пристрої: {vouched}: {name}</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="411" />
            <source>; {count} record(s) withheld (a revoked device wrote in them)</source>
            <translation>; затримано записів: {count} (у них писав відкликаний пристрій)</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="417" />
            <source>not written: {reason}</source>
            <translation>не записано: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="419" />
            <source>nothing due under your organisation's policy: no bundle written</source>
            <translation>за політикою вашої організації нічого надсилати: пакет не записано</translation>
        </message>
        <message>
            <location filename="../../desktop/send_back_dialog.py" line="424" />
            <source>Send back to field workers…</source>
            <translation>Надіслати польовим працівникам…</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="85" />
            <source>Settings</source>
            <translation>Налаштування</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="88" />
            <source>General</source>
            <translation>Загальні</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="92" />
            <source> min</source>
            <translation> хв</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="93" />
            <location filename="../../desktop/settings_dialog.py" line="104" />
            <source>never</source>
            <translation>ніколи</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="94" />
            <source>Lock after minutes without activity</source>
            <translation>Блокувати після хвилин бездіяльності</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="96" />
            <source>&amp;Lock after inactivity:</source>
            <translation>&amp;Блокувати після бездіяльності:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="98" />
            <source>Your name in the custody log</source>
            <translation>Ваше ім'я в журналі зберігання</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="99" />
            <source>e.g. a staff code, not necessarily your name</source>
            <translation>напр. службовий код, не обов'язково ім'я</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="100" />
            <source>&amp;Name in the custody log:</source>
            <translation>&amp;Ім'я в журналі зберігання:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="103" />
            <source> days</source>
            <translation> дн.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="105" />
            <source>Remind me to back up after this many days</source>
            <translation>Нагадувати про резервну копію через стільки днів</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="107" />
            <source>Remind to &amp;back up after:</source>
            <translation>Нагадувати про &amp;копію через:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="109" />
            <source>Language</source>
            <translation>Мова</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="113" />
            <source>Lan&amp;guage (after restart):</source>
            <translation>&amp;Мова (після перезапуску):</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="115" />
            <source>Part of the key is in this computer's keyring.</source>
            <translation>Частина ключа зберігається у сховищі ключів цього комп'ютера.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="117" />
            <source>No keyring: the passphrase alone protects the vault.</source>
            <translation>Без сховища ключів: сховище захищає лише парольна фраза.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="120" />
            <source>Keyring:</source>
            <translation>Сховище ключів:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="124" />
            <location filename="../../desktop/settings_dialog.py" line="140" />
            <location filename="../../desktop/settings_dialog.py" line="141" />
            <source>Change passphrase</source>
            <translation>Змінити парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="126" />
            <source>Current passphrase</source>
            <translation>Поточна парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="127" />
            <source>New passphrase</source>
            <translation>Нова парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="128" />
            <source>Repeat the new passphrase</source>
            <translation>Повторіть нову парольну фразу</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="135" />
            <source>C&amp;urrent:</source>
            <translation>&amp;Поточна:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="136" />
            <source>&amp;New:</source>
            <translation>&amp;Нова:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="137" />
            <source>Strength:</source>
            <translation>Надійність:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="139" />
            <source>&amp;Repeat:</source>
            <translation>П&amp;овтор:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="151" />
            <source>Emergency</source>
            <translation>Екстрені дії</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="155" />
            <source>A key combination wipes the vault at once, without asking</source>
            <translation>Комбінація клавіш негайно знищує сховище, без підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="159" />
            <source>Emergency wipe shortcut</source>
            <translation>Комбінація клавіш для екстреного знищення</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="161" />
            <source>Shortcut:</source>
            <translation>Комбінація:</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="164" />
            <source>Duress passphrase…</source>
            <translation>Парольна фраза під примусом…</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="167" />
            <source>Wipe the vault…</source>
            <translation>Знищити сховище…</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="168" />
            <source>Wipe the vault</source>
            <translation>Знищити сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="172" />
            <source>Type the confirmation word</source>
            <translation>Введіть слово підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="175" />
            <source>This destroys every testimony and file in this vault for ever. Type {word} to confirm.</source>
            <translation>Це назавжди знищить усі свідчення та файли в цьому сховищі. Введіть {word}, щоб підтвердити.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="179" />
            <location filename="../../desktop/settings_dialog.py" line="180" />
            <source>Destroy the vault now</source>
            <translation>Знищити сховище зараз</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="199" />
            <source>Settings status</source>
            <translation>Стан налаштувань</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="204" />
            <source>WIPE</source>
            <translation>ЗНИЩИТИ</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="245" />
            <source>Saving…</source>
            <translation>Зберігається…</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="260" />
            <source>Not saved: {reason}</source>
            <translation>Не збережено: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="281" />
            <source>The passphrase needs at least {count} characters.</source>
            <translation>Парольна фраза має містити щонайменше {count} символів.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="293" />
            <source>The two new passphrases differ.</source>
            <translation>Дві нові парольні фрази не збігаються.</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="301" />
            <source>Changing…</source>
            <translation>Змінюємо…</translation>
        </message>
        <message>
            <location filename="../../desktop/settings_dialog.py" line="309" />
            <source>Passphrase changed. Use the new one from now on.</source>
            <translation>Парольну фразу змінено. Відтепер використовуйте нову.</translation>
        </message>
    </context>
    <context>
        <name>StrengthMeter</name>
        <message>
            <location filename="../../desktop/strength.py" line="48" />
            <location filename="../../desktop/strength.py" line="97" />
            <source>Passphrase strength</source>
            <translation>Надійність парольної фрази</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="58" />
            <source>Very weak: guessed in seconds</source>
            <translation>Дуже слабка: вгадають за секунди</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="59" />
            <source>Weak</source>
            <translation>Слабка</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="60" />
            <source>Fair: add more words</source>
            <translation>Посередня: додайте ще слів</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="61" />
            <source>Strong</source>
            <translation>Надійна</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="62" />
            <source>Very strong</source>
            <translation>Дуже надійна</translation>
        </message>
        <message>
            <location filename="../../desktop/strength.py" line="66" />
            <source>Too easy to guess: add more words</source>
            <translation>Надто легко вгадати: додайте більше слів</translation>
        </message>
    </context>
    <context>
        <name>SyncPanel</name>
        <message>
            <location filename="../../desktop/sync_panel.py" line="187" />
            <source>Sync with your organisation</source>
            <translation>Синхронізація з вашою організацією</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="188" />
            <source>Sync</source>
            <translation>Синхронізація</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="189" />
            <source>Last successful sync:</source>
            <translation>Остання успішна синхронізація:</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="190" />
            <source>Waiting to be sent:</source>
            <translation>Чекає на надсилання:</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="191" />
            <source>Last pull:</source>
            <translation>Останнє отримання:</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="192" />
            <source>Sent back, not taken:</source>
            <translation>Надіслано працівникам, не забрано:</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="193" />
            <source>Sync now</source>
            <translation>Синхронізувати зараз</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="194" />
            <source>Proxy (Tor)</source>
            <translation>Проксі (Tor)</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="197" />
            <source>To sync through Tor or another SOCKS5 proxy, give its address as host:port (Tor Browser: 127.0.0.1:9150; the Tor service: 127.0.0.1:9050). Leave it empty to connect directly.</source>
            <translation>Щоб синхронізуватися через Tor або інший проксі SOCKS5, укажіть його адресу у формі вузол:порт (Tor Browser: 127.0.0.1:9150; служба Tor: 127.0.0.1:9050). Залиште поле порожнім, щоб з’єднуватися напряму.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="202" />
            <source>Save proxy</source>
            <translation>Зберегти проксі</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="205" />
            <source>Automatic sync is not running: this vault's organisation names no server. Ask your coordinator for a profile with a server, or carry bundles on a USB stick.</source>
            <translation>Автоматична синхронізація не працює: організація цього сховища не вказала сервера. Попросіть координатора про профіль із сервером або переносьте пакети на флешці.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="222" />
            <source>not yet</source>
            <translation>ще не було</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="227" />
            <source>nothing</source>
            <translation>нічого</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="230" />
            <source>%n bundle(s) received and imported</source>
            <translation>
                <numerusform>%n пакет отримано й імпортовано</numerusform>
                <numerusform>%n пакети отримано й імпортовано</numerusform>
                <numerusform>%n пакетів отримано й імпортовано</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="270" />
            <source>Resume</source>
            <translation>Відновити</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="270" />
            <source>Pause</source>
            <translation>Призупинити</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="281" />
            <source>Warning: the server's receipts for this laptop's bundles do not add up (receipt {index}). Tell your coordinator, and bring your bundles by USB as well.</source>
            <translation>Увага: квитанції сервера для пакетів цього ноутбука не сходяться (квитанція {index}). Повідомте координатора і передавайте свої пакети також на флешці.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="286" />
            <source>Warning: the server showed device {device} another record of deliveries than the one this vault checked (receipt {index}). The server may be hiding or rewriting deliveries: tell your organisation, and have that worker bring its bundles by USB.</source>
            <translation>Увага: сервер показав пристрою {device} інший облік доставлень, ніж той, який перевірило це сховище (квитанція {index}). Можливо, сервер приховує або переписує доставлення: повідомте свою організацію і попросіть цього працівника передавати свої пакети на флешці.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="299" />
            <source>%n bundle(s) from your coordinator could not be imported: {bundles}. They are tried again at later syncs; tell your coordinator if this stays.</source>
            <translation>
                <numerusform>%n пакет від координатора не вдалося імпортувати: {bundles}. Спроби імпорту повторюватимуться під час наступних синхронізацій; повідомте координатора, якщо це не минає.</numerusform>
                <numerusform>%n пакети від координатора не вдалося імпортувати: {bundles}. Спроби імпорту повторюватимуться під час наступних синхронізацій; повідомте координатора, якщо це не минає.</numerusform>
                <numerusform>%n пакетів від координатора не вдалося імпортувати: {bundles}. Спроби імпорту повторюватимуться під час наступних синхронізацій; повідомте координатора, якщо це не минає.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="312" />
            <source>%n bundle(s) held in quarantine: they come from a device not added to this vault yet. Phone the worker, compare the verification code, then approve them (fieldvault bundle quarantine list, fieldvault bundle approve).</source>
            <translation>
                <numerusform>%n пакет затримано в карантині: він надійшов із пристрою, ще не доданого до цього сховища. Зателефонуйте працівникові, порівняйте код підтвердження, а тоді схваліть його (fieldvault bundle quarantine list, fieldvault bundle approve).</numerusform>
                <numerusform>%n пакети затримано в карантині: вони надійшли з пристрою, ще не доданого до цього сховища. Зателефонуйте працівникові, порівняйте код підтвердження, а тоді схваліть їх (fieldvault bundle quarantine list, fieldvault bundle approve).</numerusform>
                <numerusform>%n пакетів затримано в карантині: вони надійшли з пристрою, ще не доданого до цього сховища. Зателефонуйте працівникові, порівняйте код підтвердження, а тоді схваліть їх (fieldvault bundle quarantine list, fieldvault bundle approve).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="324" />
            <source>%n bundle(s) refused, nothing of them imported: {bundles}. Tell the sender and your organisation.</source>
            <translation>
                <numerusform>%n пакет відхилено, з нього нічого не імпортовано: {bundles}. Повідомте відправника й свою організацію.</numerusform>
                <numerusform>%n пакети відхилено, з них нічого не імпортовано: {bundles}. Повідомте відправника й свою організацію.</numerusform>
                <numerusform>%n пакетів відхилено, з них нічого не імпортовано: {bundles}. Повідомте відправника й свою організацію.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="339" />
            <source>%n record change(s) left out of the bundles received: signed by a device your organisation revoked, or edits of its records. The rest of those bundles was imported.</source>
            <translation>
                <numerusform>Пропущено змін записів з отриманих пакетів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів). Решту цих пакетів імпортовано.</numerusform>
                <numerusform>Пропущено змін записів з отриманих пакетів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів). Решту цих пакетів імпортовано.</numerusform>
                <numerusform>Пропущено змін записів з отриманих пакетів: %n (підписані пристроєм, який ваша організація відкликала, або правки його записів). Решту цих пакетів імпортовано.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="352" />
            <source>%n record change(s) wait for their parents: they follow changes this vault has not received yet, and are kept apart until those arrive. Import the bundle of the device that made those changes (Coordinator → Devices… counts what waits).</source>
            <translation>
                <numerusform>%n зміна запису чекає на свої батьківські зміни: вона йде за змінами, яких це сховище ще не отримало, і зберігається окремо, доки вони не надійдуть. Імпортуйте пакет пристрою, який зробив ті зміни (Координатор → Пристрої… показує, скільки чекає).</numerusform>
                <numerusform>%n зміни записів чекають на свої батьківські зміни: вони йдуть за змінами, яких це сховище ще не отримало, і зберігаються окремо, доки ті не надійдуть. Імпортуйте пакет пристрою, який зробив ті зміни (Координатор → Пристрої… показує, скільки чекає).</numerusform>
                <numerusform>%n змін записів чекають на свої батьківські зміни: вони йдуть за змінами, яких це сховище ще не отримало, і зберігаються окремо, доки ті не надійдуть. Імпортуйте пакет пристрою, який зробив ті зміни (Координатор → Пристрої… показує, скільки чекає).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="364" />
            <source>%n record change(s) from devices whose vouch lapsed, kept until they are enrolled again (Coordinator → Devices… names them).</source>
            <translation>
                <numerusform>%n зміна запису від пристроїв, поручительство за які втратило силу, відкладена, доки їх не зареєструють знову (Координатор → Пристрої… називає їх).</numerusform>
                <numerusform>%n зміни записів від пристроїв, поручительство за які втратило силу, відкладені, доки їх не зареєструють знову (Координатор → Пристрої… називає їх).</numerusform>
                <numerusform>%n змін записів від пристроїв, поручительство за які втратило силу, відкладено, доки їх не зареєструють знову (Координатор → Пристрої… називає їх).</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="373" />
            <source>Not received yet from device {device}: bundles {first} to {last}.</source>
            <translation>Ще не отримано від пристрою {device}: пакети з {first} по {last}.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="394" />
            <source>Warning: bundle {bundle}, held in quarantine and its device verified now, could not be imported on this computer (%n time(s) in a row). It was not refused and its file is kept.</source>
            <translation>
                <numerusform>Увага: пакет {bundle}, утримуваний у карантині (його пристрій уже перевірено), не вдалося імпортувати на цьому комп’ютері (%n раз поспіль). Його не відхилено, і його файл збережено.</numerusform>
                <numerusform>Увага: пакет {bundle}, утримуваний у карантині (його пристрій уже перевірено), не вдалося імпортувати на цьому комп’ютері (%n рази поспіль). Його не відхилено, і його файл збережено.</numerusform>
                <numerusform>Увага: пакет {bundle}, утримуваний у карантині (його пристрій уже перевірено), не вдалося імпортувати на цьому комп’ютері (%n разів поспіль). Його не відхилено, і його файл збережено.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="401" />
            <source>It is no longer tried by itself: once the cause is dealt with, choose its device in Coordinator → Devices… and click Try again.</source>
            <translation>Автоматично його більше не пробують імпортувати: щойно причину усунуто, виберіть його пристрій у «Координатор → Пристрої…» і натисніть «Спробувати ще раз».</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="405" />
            <source>The next sync tries it again.</source>
            <translation>Наступна синхронізація спробує ще раз.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="416" />
            <source>Evidence files a worker's signed manifest names that did not come and are not stored here: {files}; re-reading brings them too.</source>
            <translation>Файли доказів, які називає підписаний маніфест працівника, що не надійшли і не зберігаються тут: {files}; повторне читання теж приносить їх.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="424" />
            <source>Warning: the history hand-over from desk {maker} is incomplete. Record changes a worker's signed manifest names that did not come: {missing}; worker manifests that did not verify: {unverifiable}; worker bundles that came unchecked: {unchecked}. The rest was imported. Coordinator → Devices… lists them; re-reading the worker's own file of such a bundle (Organisation → Import bundles…, Re-read) brings what is missing.</source>
            <translation>Увага: передача історії від робочого місця {maker} неповна. Змін записів, які називає підписаний маніфест працівника, але які не надійшли: {missing}; маніфестів працівників, що не пройшли перевірку: {unverifiable}; пакетів працівників, що надійшли неперевіреними: {unchecked}. Решту імпортовано. Координатор → Пристрої… перелічує їх; перечитування власного файлу працівника з таким пакетом (Організація → Імпорт пакетів…, Перечитати) приносить те, чого бракує.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="444" />
            <source>The history hand-over from desk {maker}: %n custody event(s) of device {device} not taken: the vouch for it lapsed here (each checked with its key, none stored); its own bundles bring them once it is enrolled again (add it by its card, or approve its bundle by code).</source>
            <translation>
                <numerusform>Передача історії від робочого місця {maker}: %n подію ланцюга зберігання пристрою {device} не прийнято: поручительство за нього тут втратило силу (її перевірено його ключем і не збережено); його власні пакети принесуть її, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом).</numerusform>
                <numerusform>Передача історії від робочого місця {maker}: %n події ланцюга зберігання пристрою {device} не прийнято: поручительство за нього тут втратило силу (кожну перевірено його ключем, жодну не збережено); його власні пакети принесуть їх, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом).</numerusform>
                <numerusform>Передача історії від робочого місця {maker}: %n подій ланцюга зберігання пристрою {device} не прийнято: поручительство за нього тут втратило силу (кожну перевірено його ключем, жодну не збережено); його власні пакети принесуть їх, щойно пристрій знову зареєструють (додайте його за карткою або схваліть його пакет за кодом).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="459" />
            <source>Bundle {number} of device {device} cannot be downloaded from the server: the server no longer gives it. Stuck since {when}, tried %n time(s); tried again at a sync after {next}.</source>
            <translation>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: сервер його більше не віддає. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: сервер його більше не віддає. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: сервер його більше не віддає. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="475" />
            <source>Bundle {number} of device {device} cannot be downloaded from the server: the server's copy of it is damaged. Stuck since {when}, tried %n time(s); tried again at a sync after {next}.</source>
            <translation>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: його копію на сервері пошкоджено. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: його копію на сервері пошкоджено. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: його копію на сервері пошкоджено. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="467" />
            <source>Bundle {number} of device {device} cannot be downloaded from the server: the server's stored copy of it is gone or cannot be read. Stuck since {when}, tried %n time(s); tried again at a sync after {next}.</source>
            <translation>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: його збережену на сервері копію втрачено або її не вдається прочитати. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: його збережену на сервері копію втрачено або її не вдається прочитати. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
                <numerusform>Пакет {number} пристрою {device} не вдається завантажити з сервера: його збережену на сервері копію втрачено або її не вдається прочитати. Застряг з {when}, спроб: %n; наступна спроба — під час синхронізації після {next}.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="492" />
            <source>%n later bundle(s) of that device wait behind it, so that its records arrive whole and in order.</source>
            <translation>
                <numerusform>%n пізніший пакет цього пристрою чекає за ним, щоб його записи надійшли повністю і по порядку.</numerusform>
                <numerusform>%n пізніші пакети цього пристрою чекають за ним, щоб його записи надійшли повністю і по порядку.</numerusform>
                <numerusform>%n пізніших пакетів цього пристрою чекають за ним, щоб його записи надійшли повністю і по порядку.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="520" />
            <source>The worker's later bundle is here already, so bringing its work by USB again does not help: ask the server's operator to repair the stored copy.</source>
            <translation>Пізніший пакет працівника вже тут, тож повторно передавати його роботу на флешці не допоможе: попросіть оператора сервера відновити збережену копію.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="540" />
            <source>Bundle {later} of that device was imported here: the work of its later bundles arrived, and none waits behind this one any more. This one is still asked for because changes of that device wait here for records this one made.</source>
            <translation>Пакет {later} цього пристрою імпортовано тут: роботу його пізніших пакетів отримано, і за цим пакетом більше ніщо не чекає. Цей пакет усе ще запитується, бо зміни цього пристрою чекають тут на записи, які створено в ньому.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="546" />
            <source>Bundle {later} of that device was imported here: the work of its later bundles arrived, and none waits behind this one any more. This one is still asked for because the server shows an acknowledgement of it by another coordinator key (a desk removed since), so the later bundle may leave its work out.</source>
            <translation>Пакет {later} цього пристрою імпортовано тут: роботу його пізніших пакетів отримано, і за цим пакетом більше ніщо не чекає. Цей пакет усе ще запитується, бо сервер показує його підтвердження ключем іншого координатора (робочого місця, вилученого відтоді), тож пізніший пакет може не містити його роботи.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="553" />
            <source>Bundle {later} of that device was imported here: the work of its later bundles arrived, and none waits behind this one any more. This one is still asked for because the server did not answer whether another coordinator desk acknowledged it; the next sync asks again.</source>
            <translation>Пакет {later} цього пристрою імпортовано тут: роботу його пізніших пакетів отримано, і за цим пакетом більше ніщо не чекає. Цей пакет усе ще запитується, бо сервер не відповів, чи підтвердило його інше робоче місце координатора; наступна синхронізація запитає знову.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="560" />
            <source>Bundle {later} of that device was imported here, so none waits behind this one any more. This one is still asked for: the later bundle carries its work only if no other coordinator desk had acknowledged it.</source>
            <translation>Пакет {later} цього пристрою імпортовано тут, тож за цим пакетом більше ніщо не чекає. Цей пакет і далі запитується: пізніший пакет містить його роботу, лише якщо жодне інше робоче місце координатора не підтвердило його раніше.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="508" />
            <source>The coordinator desk {desks} acknowledged this bundle and holds its work: a history hand-over from that desk brings it here (there: Coordinator → Hand over history…, choose this desk; here: Organisation → Import bundles…), or the server's operator repairs the stored copy. A bundle the worker brings by USB may be refused here: its custody records follow this one's.</source>
            <translation>Робоче місце координатора {desks} підтвердило цей пакет і має його роботу: передача історії з того робочого місця принесе її сюди (там: Координатор → Передати історію…, виберіть це робоче місце; тут: Організація → Імпорт пакетів…), або оператор сервера відновить збережену копію. Пакет, який працівник принесе на флешці, тут може бути відхилено: його записи ланцюга зберігання йдуть після записів цього пакета.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="527" />
            <source>Ask the worker to bring its work by USB (on its laptop: Organisation → Export bundle to USB…; here: Organisation → Import bundles…), or the server's operator to repair the stored copy.</source>
            <translation>Попросіть працівника передати свою роботу на флешці (на його ноутбуці: Організація → Експорт пакета на USB…; тут: Організація → Імпорт пакетів…) або оператора сервера — відновити збережену копію.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="573" />
            <source>%n record change(s) that waited for their parents were stored: the changes they follow arrived.</source>
            <translation>
                <numerusform>%n зміну запису, що чекала на свої батьківські зміни, збережено: зміни, за якими вона йде, надійшли.</numerusform>
                <numerusform>%n зміни записів, що чекали на свої батьківські зміни, збережено: зміни, за якими вони йдуть, надійшли.</numerusform>
                <numerusform>%n змін записів, що чекали на свої батьківські зміни, збережено: зміни, за якими вони йдуть, надійшли.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="582" />
            <source>%n waiting record change(s) no longer check out: kept waiting, not stored. Run fieldvault verify and tell your organisation.</source>
            <translation>
                <numerusform>%n зміна запису, що чекає, більше не проходить перевірку: вона й далі чекає, її не збережено. Запустіть fieldvault verify і повідомте свою організацію.</numerusform>
                <numerusform>%n зміни записів, що чекають, більше не проходять перевірку: вони й далі чекають, їх не збережено. Запустіть fieldvault verify і повідомте свою організацію.</numerusform>
                <numerusform>%n змін записів, що чекають, більше не проходять перевірку: вони й далі чекають, їх не збережено. Запустіть fieldvault verify і повідомте свою організацію.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="591" />
            <source>%n record change(s) left out: the signer's parked slots are full (too many of its changes already wait here for their parents). Import the bundles those changes follow, or tell your organisation.</source>
            <translation>
                <numerusform>%n зміну запису пропущено: місця для відкладених змін того, хто її підписав, заповнені (забагато його змін уже чекають тут на свої батьківські зміни). Імпортуйте пакети, за якими йдуть ці зміни, або повідомте свою організацію.</numerusform>
                <numerusform>%n зміни записів пропущено: місця для відкладених змін того, хто їх підписав, заповнені (забагато його змін уже чекають тут на свої батьківські зміни). Імпортуйте пакети, за якими йдуть ці зміни, або повідомте свою організацію.</numerusform>
                <numerusform>%n змін записів пропущено: місця для відкладених змін того, хто їх підписав, заповнені (забагато його змін уже чекають тут на свої батьківські зміни). Імпортуйте пакети, за якими йдуть ці зміни, або повідомте свою організацію.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="608" />
            <source>not checked yet</source>
            <translation>ще не перевірено</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="609" />
            <source>none known: the last sync found none waiting</source>
            <translation>немає відомих: остання синхронізація не знайшла жодного, що чекає</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="612" />
            <source>%n bundle(s) not taken from the server by their field worker yet, the oldest since {when}</source>
            <translation>
                <numerusform>%n пакет ще не забрали з сервера польові працівники, найстаріший — з {when}</numerusform>
                <numerusform>%n пакети ще не забрали з сервера польові працівники, найстаріший — з {when}</numerusform>
                <numerusform>%n пакетів ще не забрали з сервера польові працівники, найстаріший — з {when}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="624" />
            <source>The new desk {device} has not taken this desk's history hand-over (made {when}), even after %n fresh one(s); no more are made by themselves. Hand it over by USB: Coordinator → Hand over history…, choose that desk (or fieldvault org hand-over --to-device {device} --to FOLDER).</source>
            <translation>
                <numerusform>Нове робоче місце {device} не забрало передачу історії цього робочого місця (зроблено {when}) навіть після %n нової передачі; більше нових не буде зроблено автоматично. Передайте історію на флешці: Координатор → Передати історію…, виберіть це робоче місце (або fieldvault org hand-over --to-device {device} --to ПАПКА).</numerusform>
                <numerusform>Нове робоче місце {device} не забрало передачу історії цього робочого місця (зроблено {when}) навіть після %n нових передач; більше нових не буде зроблено автоматично. Передайте історію на флешці: Координатор → Передати історію…, виберіть це робоче місце (або fieldvault org hand-over --to-device {device} --to ПАПКА).</numerusform>
                <numerusform>Нове робоче місце {device} не забрало передачу історії цього робочого місця (зроблено {when}) навіть після %n нових передач; більше нових не буде зроблено автоматично. Передайте історію на флешці: Координатор → Передати історію…, виберіть це робоче місце (або fieldvault org hand-over --to-device {device} --to ПАПКА).</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="633" />
            <source>Made again now: the new desk {device} has not taken this desk's history hand-over (made {when}), so a fresh one went to the server.</source>
            <translation>Зроблено знову: нове робоче місце {device} не забрало передачу історії цього робочого місця (зроблено {when}), тому на сервер відправлено нову.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="650" />
            <source>Device {device} has not taken bundle {bundle} (sent {when}), even after %n resend(s); it is not sent again by itself. Bring it by USB: Coordinator → Send back to field workers…, choose that worker, then Write again for a lost stick (or fieldvault bundle export --to FOLDER --to-device {device} --resend).</source>
            <translation>
                <numerusform>Пристрій {device} не забрав пакет {bundle} (надіслано {when}) навіть після %n повторного надсилання; сам він більше не надсилається. Передайте його на флешці: Координатор → Надіслати польовим працівникам…, виберіть цього працівника, потім «Записати знову (накопичувач загублено)» (або fieldvault bundle export --to ПАПКА --to-device {device} --resend).</numerusform>
                <numerusform>Пристрій {device} не забрав пакет {bundle} (надіслано {when}) навіть після %n повторних надсилань; сам він більше не надсилається. Передайте його на флешці: Координатор → Надіслати польовим працівникам…, виберіть цього працівника, потім «Записати знову (накопичувач загублено)» (або fieldvault bundle export --to ПАПКА --to-device {device} --resend).</numerusform>
                <numerusform>Пристрій {device} не забрав пакет {bundle} (надіслано {when}) навіть після %n повторних надсилань; сам він більше не надсилається. Передайте його на флешці: Координатор → Надіслати польовим працівникам…, виберіть цього працівника, потім «Записати знову (накопичувач загублено)» (або fieldvault bundle export --to ПАПКА --to-device {device} --resend).</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="659" />
            <source>Sent again now: device {device} has not taken bundle {bundle} (sent {when}), so its changes went to the server again in a new bundle.</source>
            <translation>Надіслано знову: пристрій {device} не забрав пакет {bundle} (надіслано {when}), тому його зміни знову відправлено на сервер у новому пакеті.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_panel.py" line="664" />
            <source>Device {device} has not taken bundle {bundle} yet (sent {when}); what it carries was already sent again %n time(s). A send-back is sent again after 3 days not taken, at most 3 times.</source>
            <translation>
                <numerusform>Пристрій {device} ще не забрав пакет {bundle} (надіслано {when}); його вміст уже надсилали повторно %n раз. Незабраний пакет надсилається знову через 3 дні, щонайбільше 3 рази.</numerusform>
                <numerusform>Пристрій {device} ще не забрав пакет {bundle} (надіслано {when}); його вміст уже надсилали повторно %n рази. Незабраний пакет надсилається знову через 3 дні, щонайбільше 3 рази.</numerusform>
                <numerusform>Пристрій {device} ще не забрав пакет {bundle} (надіслано {when}); його вміст уже надсилали повторно %n разів. Незабраний пакет надсилається знову через 3 дні, щонайбільше 3 рази.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="703" />
            <source>Saving…</source>
            <translation>Збереження…</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="714" />
            <source>Saved: the next sync goes through this proxy.</source>
            <translation>Збережено: наступна синхронізація піде через цей проксі.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="716" />
            <source>Saved: sync connects directly.</source>
            <translation>Збережено: синхронізація з’єднується напряму.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_panel.py" line="722" />
            <source>Not saved: {reason}</source>
            <translation>Не збережено: {reason}</translation>
        </message>
    </context>
    <context>
        <name>SyncStatus</name>
        <message>
            <location filename="../../desktop/sync_status.py" line="121" />
            <source>{done} of {total}</source>
            <translation>{done} з {total}</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="127" />
            <source>{speed}/s</source>
            <translation>{speed}/с</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="148" />
            <source>Syncing… {percent}%</source>
            <translation>Синхронізація… {percent}%</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="151" />
            <source>Syncing…</source>
            <translation>Синхронізація…</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="154" />
            <source>Pausing — finishing the sync under way… {percent}%</source>
            <translation>Призупинення — завершується поточна синхронізація… {percent}%</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="157" />
            <source>Pausing — finishing the sync under way…</source>
            <translation>Призупинення — завершується поточна синхронізація…</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="159" />
            <source>Sync paused</source>
            <translation>Синхронізацію призупинено</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="161" />
            <source>Sync stopped</source>
            <translation>Синхронізацію зупинено</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="163" />
            <source>Not synced</source>
            <translation>Не синхронізовано</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="165" />
            <source>Synced at {time}</source>
            <translation>Синхронізовано о {time}</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="169" />
            <source>Sync starting</source>
            <translation>Синхронізація починається</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="176" />
            <source>Warning about the server</source>
            <translation>Попередження щодо сервера</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="286" />
            <source>The server's receipts disagree with its record of deliveries. Open the sync panel.</source>
            <translation>Квитанції сервера не збігаються з його обліком доставлень. Відкрийте панель синхронізації.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="294" />
            <source>A bundle held in quarantine, its device verified now, could not be imported on this computer. Open the sync panel.</source>
            <translation>Пакет, утримуваний у карантині, чий пристрій уже перевірено, не вдалося імпортувати на цьому комп’ютері. Відкрийте панель синхронізації.</translation>
        </message>
        <message>
            <location filename="../../desktop/sync_status.py" line="305" />
            <source>Automatic sync with your organisation's server</source>
            <translation>Автоматична синхронізація із сервером вашої організації</translation>
        </message>
    </context>
    <context>
        <name>SyncWords</name>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="81" />
            <source>about %n second(s) left</source>
            <translation>
                <numerusform>залишилося приблизно %n секунду</numerusform>
                <numerusform>залишилося приблизно %n секунди</numerusform>
                <numerusform>залишилося приблизно %n секунд</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="84" />
            <source>about %n minute(s) left</source>
            <translation>
                <numerusform>залишилося приблизно %n хвилину</numerusform>
                <numerusform>залишилося приблизно %n хвилини</numerusform>
                <numerusform>залишилося приблизно %n хвилин</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="86" />
            <source>about %n hour(s) left</source>
            <translation>
                <numerusform>залишилося приблизно %n годину</numerusform>
                <numerusform>залишилося приблизно %n години</numerusform>
                <numerusform>залишилося приблизно %n годин</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="89" />
            <source>%n bundle(s) waiting to be sent</source>
            <translation>
                <numerusform>%n пакет чекає на надсилання</numerusform>
                <numerusform>%n пакети чекають на надсилання</numerusform>
                <numerusform>%n пакетів чекають на надсилання</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="92" />
            <source>%n send-back(s) to bring by USB</source>
            <translation>
                <numerusform>%n пакет для працівника треба передати на флешці</numerusform>
                <numerusform>%n пакети для працівників треба передати на флешці</numerusform>
                <numerusform>%n пакетів для працівників треба передати на флешці</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="95" />
            <source>Warning: %n held bundle(s) not imported here</source>
            <translation>
                <numerusform>Увага: %n утримуваний пакет не імпортовано тут</numerusform>
                <numerusform>Увага: %n утримувані пакети не імпортовано тут</numerusform>
                <numerusform>Увага: %n утримуваних пакетів не імпортовано тут</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="100" />
            <source>Next try in %n second(s).</source>
            <translation>
                <numerusform>Наступна спроба через %n секунду.</numerusform>
                <numerusform>Наступна спроба через %n секунди.</numerusform>
                <numerusform>Наступна спроба через %n секунд.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desktop/sync_status.py" line="102" />
            <source>Next try in about %n minute(s).</source>
            <translation>
                <numerusform>Наступна спроба приблизно через %n хвилину.</numerusform>
                <numerusform>Наступна спроба приблизно через %n хвилини.</numerusform>
                <numerusform>Наступна спроба приблизно через %n хвилин.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>TakeAcksDialog</name>
        <message>
            <location filename="../../desktop/org_acks.py" line="53" />
            <source>Acknowledgements (*.fvack);;All files (*)</source>
            <translation>Підтвердження (*.fvack);;Усі файли (*)</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="126" />
            <source>Take acknowledgements</source>
            <translation>Прийняти підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="130" />
            <source>Your coordinator puts an acknowledgement file (.fvack) on the USB stick for the bundles they received. Take it here: your next bundle then carries only what is new. Each file is checked (your organisation, your device, a coordinator's signature); a refused one changes nothing.</source>
            <translation>Координатор кладе на USB-флешку файл підтвердження (.fvack) для пакетів, які отримав. Прийміть його тут: тоді ваш наступний пакет міститиме лише нове. Кожен файл перевіряється (ваша організація, ваш пристрій, підпис координатора); відхилений нічого не змінює.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="137" />
            <source>Acknowledgement files and what happened to each</source>
            <translation>Файли підтверджень і що сталося з кожним</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="138" />
            <source>File</source>
            <translation>Файл</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="138" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="139" />
            <source>Result of the chosen file</source>
            <translation>Результат вибраного файлу</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="143" />
            <source>Summary</source>
            <translation>Підсумок</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="146" />
            <source>Choose files…</source>
            <translation>Вибрати файли…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="146" />
            <location filename="../../desktop/org_acks.py" line="156" />
            <source>Choose acknowledgement files</source>
            <translation>Вибрати файли підтверджень</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="149" />
            <source>Take them</source>
            <translation>Прийняти їх</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="149" />
            <source>Take the acknowledgements</source>
            <translation>Прийняти підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="151" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="162" />
            <location filename="../../desktop/org_acks.py" line="192" />
            <source>waiting</source>
            <translation>очікує</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="176" />
            <source>Checking…</source>
            <translation>Перевірка…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="192" />
            <source>not taken (stopped); nothing changed</source>
            <translation>не прийнято (зупинено); нічого не змінено</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="197" />
            <source>Stopped. The files marked acknowledged were taken.</source>
            <translation>Зупинено. Файли, позначені як підтверджені, прийнято.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="196" />
            <source>Done.</source>
            <translation>Готово.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="207" />
            <source>refused: {reason}</source>
            <translation>відхилено: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="209" />
            <source>could not be read ({reason}); nothing changed</source>
            <translation>не вдалося прочитати ({reason}); нічого не змінено</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="211" />
            <source>bundle {sequence} was acknowledged already; nothing changed</source>
            <translation>пакет {sequence} уже підтверджено; нічого не змінено</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="217" />
            <source>acknowledged: the organisation holds bundle {sequence} (and the ones before it), says coordinator {coordinator}. Your next bundle carries only what is new.</source>
            <translation>підтверджено: організація має пакет {sequence} (і попередні), повідомляє координатор {coordinator}. Ваш наступний пакет міститиме лише нове.</translation>
        </message>
    </context>
    <context>
        <name>TestimoniesTab</name>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="34" />
            <source>Testimonies of the selected case</source>
            <translation>Свідчення вибраної справи</translation>
        </message>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="35" />
            <location filename="../../desktop/testimonies_tab.py" line="36" />
            <source>New testimony</source>
            <translation>Нове свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="40" />
            <source>Testimonies</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="44" />
            <source>Only notes to complete</source>
            <translation>Лише нотатки, які треба доповнити</translation>
        </message>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="71" />
            <source>(untitled testimony)</source>
            <translation>(свідчення без назви)</translation>
        </message>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="74" />
            <source>To complete: {label}</source>
            <translation>Доповнити: {label}</translation>
        </message>
        <message>
            <location filename="../../desktop/testimonies_tab.py" line="189" />
            <source>History of the testimony</source>
            <translation>Історія свідчення</translation>
        </message>
    </context>
    <context>
        <name>TestimonyEditor</name>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="364" />
            <source>New testimony</source>
            <translation>Нове свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="164" />
            <source>History…</source>
            <translation>Історія…</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="165" />
            <source>Edit history of this testimony</source>
            <translation>Історія змін цього свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="186" />
            <source>Restored draft</source>
            <translation>Відновлена чернетка</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="187" />
            <source>Discard these changes</source>
            <translation>Відкинути ці зміни</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="188" />
            <source>Discard the restored draft</source>
            <translation>Відкинути відновлену чернетку</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="196" />
            <source>Testimony title</source>
            <translation>Назва свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="197" />
            <source>e.g. Statement of witness W-1</source>
            <translation>напр. Свідчення свідка W-1</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="202" />
            <source>Quick note: still to complete</source>
            <translation>Швидка нотатка: ще треба доповнити</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="203" />
            <source>Untick when the testimony is complete, then save.</source>
            <translation>Зніміть позначку, коли свідчення повне, і збережіть.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="207" />
            <source>Witness</source>
            <translation>Свідок</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="208" />
            <source>The persons of this case, by pseudonym.</source>
            <translation>Особи цієї справи, за псевдонімами.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="210" />
            <source>Incident</source>
            <translation>Інцидент</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="213" />
            <source>Interviewer</source>
            <translation>Інтерв’юер</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="216" />
            <source>Interview date</source>
            <translation>Дата інтерв’ю</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="216" />
            <source>Precision of the interview date</source>
            <translation>Точність дати інтерв’ю</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="222" />
            <source>Interview place</source>
            <translation>Місце інтерв’ю</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="223" />
            <source>Settlement, district, region</source>
            <translation>Населений пункт, район, область</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="228" />
            <source>Language of the testimony</source>
            <translation>Мова свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="229" />
            <source>Choose a language or type its code (e.g. pl, de).</source>
            <translation>Виберіть мову або введіть її код (напр. pl, de).</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="231" />
            <source>Ukrainian</source>
            <translation>Українська</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="232" />
            <source>English</source>
            <translation>Англійська</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="233" />
            <source>Russian</source>
            <translation>Російська</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="234" />
            <source>Crimean Tatar</source>
            <translation>Кримськотатарська</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="241" />
            <source>e.g. uk, ru, en</source>
            <translation>напр. uk, ru, en</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="245" />
            <source>Interpreter</source>
            <translation>Перекладач</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="246" />
            <source>Leave empty if none</source>
            <translation>Залиште порожнім, якщо перекладача не було</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="274" />
            <source>Narrative</source>
            <translation>Розповідь</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="275" />
            <source>The witness's account, in their words.</source>
            <translation>Розповідь свідка його власними словами.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="281" />
            <source>Notes</source>
            <translation>Нотатки</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="282" />
            <source>Interviewer's notes (not the witness's words)</source>
            <translation>Нотатки інтерв’юера (не слова свідка)</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="290" />
            <source>&amp;Title:</source>
            <translation>&amp;Назва:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="291" />
            <source>&amp;Witness:</source>
            <translation>&amp;Свідок:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="292" />
            <source>In&amp;cident:</source>
            <translation>&amp;Інцидент:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="293" />
            <source>Inter&amp;viewer:</source>
            <translation>Інтерв’&amp;юер:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="294" />
            <source>&amp;Date:</source>
            <translation>&amp;Дата:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="295" />
            <source>&amp;Place:</source>
            <translation>&amp;Місце:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="296" />
            <source>&amp;Language:</source>
            <translation>Мо&amp;ва:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="297" />
            <source>Inte&amp;rpreter:</source>
            <translation>&amp;Перекладач:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="300" />
            <source>Violation t&amp;ypes:</source>
            <translation>Види пору&amp;шень:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="301" />
            <source>&amp;Narrative:</source>
            <translation>&amp;Розповідь:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="302" />
            <source>Not&amp;es:</source>
            <translation>Нота&amp;тки:</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="309" />
            <source>Autosave status</source>
            <translation>Стан автозбереження</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="366" />
            <source>Save testimony</source>
            <translation>Зберегти свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="367" />
            <source>Saves the testimony (Ctrl+S).</source>
            <translation>Зберігає свідчення (Ctrl+S).</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="427" />
            <location filename="../../desktop/testimony_editor.py" line="430" />
            <location filename="../../desktop/testimony_editor.py" line="467" />
            <source>(none)</source>
            <translation>(немає)</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="365" />
            <source>Testimony</source>
            <translation>Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="507" />
            <source>Unsaved changes from {time} were restored from the vault. Save to keep them.</source>
            <translation>Незбережені зміни від {time} відновлено зі сховища. Збережіть, щоб їх не втратити.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="512" />
            <source>The testimony was saved again since then: check the fields before saving.</source>
            <translation>Відтоді свідчення зберігали ще раз: перевірте поля перед збереженням.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="515" />
            <source>Unsaved changes are kept in the vault.</source>
            <translation>Незбережені зміни тимчасово зберігаються у сховищі.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="463" />
            <location filename="../../desktop/testimony_editor.py" line="554" />
            <source>(a person not in this case)</source>
            <translation>(особа не з цієї справи)</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="257" />
            <source>Consent recorded before consent records</source>
            <translation>Згода, записана до записів згоди</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="258" />
            <source>Create a consent record from it…</source>
            <translation>Створити з неї запис згоди…</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="260" />
            <source>Opens Record consent with this scope ticked; add how, when and to whom it was given.</source>
            <translation>Відкриває «Записати згоду» з цією метою вже позначеною; додайте, як, коли і кому її надано.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="377" />
            <source>Recorded before consent records: {scope}</source>
            <translation>Записано до записів згоди: {scope}</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="464" />
            <location filename="../../desktop/testimony_editor.py" line="555" />
            <source>(an incident not in this case)</source>
            <translation>(інцидент не з цієї справи)</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="615" />
            <source>Write a title or a narrative first.</source>
            <translation>Спершу напишіть назву або розповідь.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="620" />
            <source>Use a language code such as uk, en or ru (lowercase letters), or choose from the list.</source>
            <translation>Введіть код мови, як-от uk, en чи ru (малими літерами), або виберіть мову зі списку.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="629" />
            <source>This link is not valid; choose again from the list.</source>
            <translation>Це посилання недійсне; виберіть ще раз зі списку.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="631" />
            <source>Choose one of the listed consent scopes.</source>
            <translation>Виберіть один із наведених обсягів згоди.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="633" />
            <source>Unknown violation type; tick types from the list.</source>
            <translation>Невідомий вид порушення; позначте види зі списку.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="634" />
            <source>This value is not accepted.</source>
            <translation>Це значення не приймається.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="771" />
            <source>Could not autosave: {reason}</source>
            <translation>Не вдалося зберегти автоматично: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="778" />
            <source>Unsaved changes kept in the vault ({time}).</source>
            <translation>Незбережені зміни тимчасово збережено у сховищі ({time}).</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="796" />
            <source>Changes discarded.</source>
            <translation>Зміни відкинуто.</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="168" />
            <source>Record interview…</source>
            <translation>Записати інтерв’ю…</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="169" />
            <source>Record the interview (Ctrl+R)</source>
            <translation>Записати інтерв’ю (Ctrl+R)</translation>
        </message>
        <message>
            <location filename="../../desktop/testimony_editor.py" line="170" />
            <source>Records sound from the microphone into the vault (Ctrl+R).</source>
            <translation>Записує звук із мікрофона просто в сховище (Ctrl+R).</translation>
        </message>
    </context>
    <context>
        <name>TextPage</name>
        <message>
            <location filename="../../desktop/viewer_text.py" line="26" />
            <source>Text of the item</source>
            <translation>Текст доказу</translation>
        </message>
        <message>
            <location filename="../../desktop/viewer_text.py" line="43" />
            <source>Showing the first {shown} of {total}. Export the item to read all of it.</source>
            <translation>Показано перші {shown} із {total}. Експортуйте доказ, щоб прочитати його повністю.</translation>
        </message>
    </context>
    <context>
        <name>UnlockPage</name>
        <message>
            <location filename="../../desktop/unlock.py" line="594" />
            <source>Unlock the vault</source>
            <translation>Розблокування сховища</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="595" />
            <source>Vault: {folder}</source>
            <translation>Сховище: {folder}</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="596" />
            <source>Why the vault is locked</source>
            <translation>Чому сховище заблоковано</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="597" />
            <source>Passphrase</source>
            <translation>Парольна фраза</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="598" />
            <source>&amp;Passphrase:</source>
            <translation>&amp;Парольна фраза:</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="599" />
            <source>Error</source>
            <translation>Помилка</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="600" />
            <source>Unlocking</source>
            <translation>Розблокування</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="601" />
            <location filename="../../desktop/unlock.py" line="602" />
            <source>Unlock</source>
            <translation>Розблокувати</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="603" />
            <source>Forgot the passphrase? Use the recovery key…</source>
            <translation>Забули парольну фразу? Скористайтеся ключем відновлення…</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="604" />
            <source>Use the recovery key</source>
            <translation>Скористатися ключем відновлення</translation>
        </message>
        <message>
            <location filename="../../desktop/unlock.py" line="614" />
            <source>Type the vault's passphrase.</source>
            <translation>Введіть парольну фразу сховища.</translation>
        </message>
    </context>
    <context>
        <name>UserGuideWindow</name>
        <message>
            <location filename="../../desktop/help_menu.py" line="57" />
            <source>Fieldvault user guide</source>
            <translation>Посібник користувача Fieldvault</translation>
        </message>
    </context>
    <context>
        <name>VaultView</name>
        <message>
            <location filename="../../desktop/vault_view.py" line="63" />
            <source>Lock (Ctrl+L)</source>
            <translation>Заблокувати (Ctrl+L)</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="64" />
            <source>Lock the vault</source>
            <translation>Заблокувати сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="74" />
            <source>The selected case</source>
            <translation>Вибрана справа</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="75" />
            <source>&amp;Testimonies</source>
            <translation>&amp;Свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="76" />
            <source>&amp;Evidence</source>
            <translation>&amp;Докази</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="77" />
            <source>&amp;Incidents</source>
            <translation>&amp;Інциденти</translation>
        </message>
        <message>
            <location filename="../../desktop/vault_view.py" line="78" />
            <source>Person&amp;s</source>
            <translation>О&amp;соби</translation>
        </message>
    </context>
    <context>
        <name>ViolationTypesField</name>
        <message>
            <location filename="../../desktop/form_fields.py" line="43" />
            <source>Violation types</source>
            <translation>Види порушень</translation>
        </message>
        <message>
            <location filename="../../desktop/form_fields.py" line="44" />
            <source>Space ticks or unticks the highlighted type.</source>
            <translation>Пробіл ставить або знімає позначку з виділеного виду.</translation>
        </message>
    </context>
    <context>
        <name>WindowKeys</name>
        <message>
            <location filename="../../desktop/help_menu.py" line="90" />
            <source>Search</source>
            <translation>Пошук</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="91" />
            <source>New testimony</source>
            <translation>Нове свідчення</translation>
        </message>
        <message>
            <location filename="../../desktop/help_menu.py" line="92" />
            <source>&amp;Quit</source>
            <translation>&amp;Вийти</translation>
        </message>
    </context>
    <context>
        <name>WipeConfirmation</name>
        <message>
            <location filename="../../desktop/wipe_confirmation.py" line="40" />
            <source>WIPE</source>
            <translation>ЗНИЩИТИ</translation>
        </message>
        <message>
            <location filename="../../desktop/wipe_confirmation.py" line="43" />
            <source>Emergency: wipe the vault…</source>
            <translation>Екстрено: знищити сховище…</translation>
        </message>
        <message>
            <location filename="../../desktop/wipe_confirmation.py" line="44" />
            <source>Emergency: wipe the vault</source>
            <translation>Екстрено: знищити сховище</translation>
        </message>
        <message>
            <location filename="../../desktop/wipe_confirmation.py" line="47" />
            <source>This destroys every testimony and file in this vault for ever, without the passphrase. Type {word} to confirm.</source>
            <translation>Це назавжди знищує всі свідчення і файли в цьому сховищі, без парольної фрази. Введіть {word}, щоб підтвердити.</translation>
        </message>
        <message>
            <location filename="../../desktop/wipe_confirmation.py" line="51" />
            <source>Type the confirmation word</source>
            <translation>Введіть слово підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/wipe_confirmation.py" line="52" />
            <location filename="../../desktop/wipe_confirmation.py" line="53" />
            <source>Destroy the vault now</source>
            <translation>Знищити сховище зараз</translation>
        </message>
    </context>
    <context>
        <name>WithdrawConsentDialog</name>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="205" />
            <source>Withdraw or narrow consent</source>
            <translation>Відкликати чи звузити згоду</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="207" />
            <source>The witness withdraws consent to</source>
            <translation>Свідок відкликає згоду на</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="215" />
            <source>When consent was withdrawn</source>
            <translation>Коли згоду відкликано</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="216" />
            <source>YYYY, YYYY-MM or YYYY-MM-DD</source>
            <translation>РРРР, РРРР-ММ або РРРР-ММ-ДД</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="219" />
            <source>How the withdrawal was made</source>
            <translation>Як відкликано згоду</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="223" />
            <source>&amp;When:</source>
            <translation>&amp;Коли:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="224" />
            <source>&amp;How it was made:</source>
            <translation>&amp;Як відкликано:</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="225" />
            <source>Withdraw…</source>
            <translation>Відкликати…</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="229" />
            <source>The withdrawal is signed and kept in the history; it cannot be undone. A later consent must be recorded as a new one.</source>
            <translation>Відкликання підписується й зберігається в історії; його не можна скасувати. Пізнішу згоду треба записати як нову.</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="234" />
            <source>Confirm withdrawal</source>
            <translation>Підтвердити відкликання</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="237" />
            <source>Cancel</source>
            <translation>Скасувати</translation>
        </message>
        <message>
            <location filename="../../desktop/consent_dialog.py" line="257" />
            <source>Tick the uses the witness withdraws.</source>
            <translation>Позначте використання, на які свідок відкликає згоду.</translation>
        </message>
    </context>
    <context>
        <name>WriteAcksDialog</name>
        <message>
            <location filename="../../desktop/org_acks.py" line="288" />
            <source>Write acknowledgements</source>
            <translation>Записати підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="292" />
            <source>An acknowledgement tells a field worker's laptop which of its bundles you hold, so that its next bundle carries only what is new. One file is written for each device whose bundles you imported (the newest bundle; it covers the ones before it). It holds no record, only ids, signed by this laptop. Put them on the worker's stick.</source>
            <translation>Підтвердження повідомляє ноутбук польового працівника, які з його пакетів ви маєте, щоб його наступний пакет містив лише нове. Для кожного пристрою, пакети якого ви імпортували, записується один файл (про найновіший пакет; він охоплює й попередні). У ньому немає записів, лише ідентифікатори, підписані цим ноутбуком. Покладіть їх на флешку працівника.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="299" />
            <source>Devices and their acknowledgements</source>
            <translation>Пристрої та їхні підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="299" />
            <source>Device</source>
            <translation>Пристрій</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="299" />
            <source>Result</source>
            <translation>Результат</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="302" />
            <source>Summary</source>
            <translation>Підсумок</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="306" />
            <source>Choose folder and write…</source>
            <translation>Вибрати теку й записати…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="307" />
            <source>Choose a folder and write the acknowledgements</source>
            <translation>Вибрати теку й записати підтвердження</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="310" />
            <source>Close</source>
            <translation>Закрити</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="320" />
            <source>Choose the folder for the acknowledgements</source>
            <translation>Виберіть теку для підтверджень</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="324" />
            <source>Writing…</source>
            <translation>Запис…</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="336" />
            <source>Stopped.</source>
            <translation>Зупинено.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="344" />
            <source>Done. Eject the stick safely before you unplug it.</source>
            <translation>Готово. Безпечно вилучіть флешку, перш ніж її від’єднати.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="346" />
            <source>No bundle has been imported yet: there is nothing to acknowledge.</source>
            <translation>Ще не імпортовано жодного пакета: підтверджувати нічого.</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="351" />
            <source>bundle {sequence} acknowledged: {name}</source>
            <translation>пакет {sequence} підтверджено: {name}</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="355" />
            <source>not written: another file of that name is in the folder; choose another folder</source>
            <translation>не записано: у теці вже є інший файл із такою назвою; виберіть іншу теку</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="359" />
            <source>not written: {reason}</source>
            <translation>не записано: {reason}</translation>
        </message>
        <message>
            <location filename="../../desktop/org_acks.py" line="360" />
            <source>not written ({reason})</source>
            <translation>не записано ({reason})</translation>
        </message>
    </context>
</TS>
