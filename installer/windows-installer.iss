; Inno Setup script for the Windows counter PC, from the one-folder bundle.
; Build on Windows: scripts\package.sh's first half (pyinstaller installer\fee-control-counter.spec
; --distpath dist), then: iscc installer\windows-installer.iss
;
; PC/SC on Windows is the built-in "Smart Card" service (SCardSvr): no driver to install for a
; CCID reader; it starts when a reader is plugged in. The installer checks that the service
; exists and says so if it does not (some trimmed Windows images remove it).
#define AppVersion "0.1.0"

[Setup]
AppName=Fee-Control Counter (远程购电柜台)
AppVersion={#AppVersion}
AppPublisher=Fee-Control Counter maintainers
DefaultDirName={autopf}\FeeControlCounter
DefaultGroupName=Fee-Control Counter
OutputBaseFilename=fee-control-counter-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
; the hall's data is never in {app}: upgrades replace the program and keep %LOCALAPPDATA%'s books
UninstallDisplayIcon={app}\counter-app.exe

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "..\dist\fee-control-counter\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion
Source: "config.example.toml"; DestDir: "{commonappdata}\fee-control-counter"; DestName: "config.toml"; Flags: onlyifdoesntexist uninsneveruninstall

[Dirs]
; configuration and secrets: administrators and the service account only
Name: "{commonappdata}\fee-control-counter"; Permissions: admins-full system-full

[Icons]
Name: "{group}\远程购电柜台 Fee-Control Counter"; Filename: "{app}\counter-app.exe"
Name: "{group}\自检 Self-check"; Filename: "{app}\counter-app-debug.exe"; Parameters: "--self-check"
Name: "{commondesktop}\远程购电柜台"; Filename: "{app}\counter-app.exe"

[Code]
function InitializeSetup(): Boolean;
var
  ResultCode: Integer;
begin
  Result := True;
  { sc query exits non-zero when the Smart Card service is missing }
  if not Exec(ExpandConstant('{sys}\sc.exe'), 'query SCardSvr', '', SW_HIDE, ewWaitUntilTerminated, ResultCode) or (ResultCode <> 0) then
    MsgBox('The Windows Smart Card service (SCardSvr) was not found. Purchase cards cannot be written until it is enabled; remote dispatch works without it.', mbInformation, MB_OK);
end;
