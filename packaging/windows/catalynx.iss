; Inno Setup 6.3+ script: a per-user (or, if chosen, per-machine) installer around the PyInstaller
; bundle dist\catalynx-desktop\. Run through packaging\build_windows.ps1, which builds and smoke-tests
; the bundle first and passes the defines below:
;   ISCC.exe /DAppVersion=0.1.0 /DBundleDir=...\dist\catalynx-desktop /DOutputDir=...\dist
;            /DSetupIcon=...\build\icons\catalynx.ico packaging\windows\catalynx.iss
; Output: dist\catalynx-desktop-<version>-windows-x64-setup.exe
; The user's data (%LOCALAPPDATA%\catalynx-desktop) is never touched by setup or uninstall.

#define AppName "Catalynx Desktop"
#define AppExe "catalynx-desktop.exe"
#ifndef AppVersion
  #error Pass /DAppVersion=x.y.z (build_windows.ps1 reads it from catalynx_desktop\__init__.py)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\catalynx-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; AppId identifies the app for upgrades and uninstall: never change it.
AppId={{3FC01657-AEEA-4F4F-A4E8-69100E8AE92B}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Catalynx
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; No admin rights needed: installs for the current user unless the user picks "all users".
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=catalynx-desktop-{#AppVersion}-windows-x64-setup
#ifdef SetupIcon
SetupIconFile={#SetupIcon}
#endif
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Upgrades close a running copy first (its files are in use otherwise).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no stale DLLs or modules from the previous version.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The windowed app, its console twin (catalynx-desktop-cli.exe: import, demo, discover, --self-test, ...)
; and _internal\ (Python, Qt, resources).
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent
