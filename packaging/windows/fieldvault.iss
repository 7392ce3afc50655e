; Inno Setup script: Fieldvault-Setup-<version>.exe from PyInstaller's
; dist\fieldvault (packaging/fieldvault.spec). Built by
; .github/workflows/release.yml:
;   iscc /DAppVersion=0.1.0 /DSourceDir=..\..\dist\fieldvault /DOutputDir=..\..\dist\release packaging\windows\fieldvault.iss
; Installs for the current user (no administrator rights: partners' laptops
; often have none), into %LOCALAPPDATA%\Programs\Fieldvault. The vault lives
; elsewhere (%LOCALAPPDATA%\Fieldvault\vault) and is never touched by
; installing, upgrading or uninstalling.

#ifndef AppVersion
  #error Pass /DAppVersion=<version from pyproject.toml>
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\fieldvault"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist\release"
#endif

[Setup]
; A fixed id: upgrades replace the installed version instead of adding one.
AppId={{6F1C2B9E-3A57-4E0B-9C7D-5B2F0E8A4D11}
AppName=Fieldvault
AppVersion={#AppVersion}
AppPublisher=Fieldvault
DefaultDirName={localappdata}\Programs\Fieldvault
DefaultGroupName=Fieldvault
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=Fieldvault-Setup-{#AppVersion}
SetupIconFile=..\..\build\icons\fieldvault.ico
UninstallDisplayIcon={app}\fieldvault.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The same inputs give the same installer bytes as far as Inno Setup allows.
TimeStampsInUTC=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "ukrainian"; MessagesFile: "compiler:Languages\Ukrainian.isl"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Fieldvault"; Filename: "{app}\fieldvault.exe"
Name: "{userdesktop}\Fieldvault"; Filename: "{app}\fieldvault.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\fieldvault.exe"; Description: "{cm:LaunchProgram,Fieldvault}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer made: the vault and settings stay.
Type: filesandordirs; Name: "{app}\_internal"
