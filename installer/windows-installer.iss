; Inno Setup script for the one-folder PyInstaller build (dist\counter-app).
; Build on Windows: pyinstaller installer\counter-app.spec, then iscc installer\windows-installer.iss
[Setup]
AppName=Fee-Control Counter
AppVersion=0.1.0
DefaultDirName={autopf}\FeeControlCounter
DefaultGroupName=Fee-Control Counter
OutputBaseFilename=fee-control-counter-setup
Compression=lzma2
SolidCompression=yes

[Files]
Source: "..\dist\counter-app\*"; DestDir: "{app}"; Flags: recursesubdirs

[Icons]
Name: "{group}\Fee-Control Counter"; Filename: "{app}\counter-app.exe"
Name: "{group}\Fee-Control Counter (diagnostics)"; Filename: "{app}\counter-app-debug.exe"; Parameters: "--self-check"
