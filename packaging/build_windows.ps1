# Build the Windows installer from a checkout (PowerShell 5.1+ or 7, Python 3.11 x64 on PATH):
#   dist\catalynx-desktop\                                  the one-dir bundle (PyInstaller, packaging\catalynx.spec)
#   dist\catalynx-desktop-<version>-windows-x64.zip         the bundle, portable (unzip and run)
#   dist\catalynx-desktop-<version>-windows-x64-setup.exe   the installer (Inno Setup 6.3+)
#
#   python -m pip install -e ".[packaging]"
#   winget install JRSoftware.InnoSetup        # once; or pass -Iscc C:\path\to\ISCC.exe
#   powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1 [-NoBuild] [-Iscc PATH]
#
# Signing (optional): set SIGNTOOL_ARGS, e.g. '/fd sha256 /tr http://timestamp.digicert.com /td sha256 /a',
# to sign both executables and the installer with signtool.exe (Windows SDK) on PATH.
param(
    [switch]$NoBuild,
    [string]$Iscc = ""
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
Set-Location $Root
$Version = (Select-String -Path "catalynx_desktop\__init__.py" -Pattern '__version__ = "([^"]+)"').Matches[0].Groups[1].Value
$Dist = Join-Path $Root "dist"
$Build = Join-Path $Root "build"
$Bundle = Join-Path $Dist "catalynx-desktop"

function Invoke-Checked([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

function Invoke-Sign([string[]]$Files) {
    if (-not $env:SIGNTOOL_ARGS) { return }
    foreach ($file in $Files) {
        Invoke-Checked "signtool $file" { & signtool.exe sign $env:SIGNTOOL_ARGS.Split(" ") $file }
    }
}

if (-not $NoBuild) {
    Write-Host "== bundle (PyInstaller)"
    Invoke-Checked "PyInstaller" {
        python -m PyInstaller --noconfirm --log-level WARN --distpath $Dist --workpath (Join-Path $Build "pyinstaller") packaging\catalynx.spec
    }
}
if (-not (Test-Path (Join-Path $Bundle "catalynx-desktop.exe"))) { throw "no bundle at $Bundle" }

Write-Host "== smoke test: the frozen app's --self-test (console executable, offscreen)"
$env:QT_QPA_PLATFORM = "offscreen"
try {
    Invoke-Checked "the frozen app's --self-test" { & (Join-Path $Bundle "catalynx-desktop-cli.exe") --self-test }
} finally {
    Remove-Item Env:QT_QPA_PLATFORM
}
Invoke-Sign @((Join-Path $Bundle "catalynx-desktop.exe"), (Join-Path $Bundle "catalynx-desktop-cli.exe"))

Write-Host "== portable zip"
$Zip = Join-Path $Dist "catalynx-desktop-$Version-windows-x64.zip"
if (Test-Path $Zip) { Remove-Item $Zip }
Compress-Archive -Path $Bundle -DestinationPath $Zip -CompressionLevel Optimal

Write-Host "== installer (Inno Setup)"
if (-not $Iscc) {
    $found = Get-Command "ISCC.exe" -ErrorAction SilentlyContinue
    if ($found) {
        $Iscc = $found.Source
    } else {
        $candidates = @(
            (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
            (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
            (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
        )
        $Iscc = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
    }
}
if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found: winget install JRSoftware.InnoSetup, or pass -Iscc" }
$Icons = Join-Path $Build "icons"
Invoke-Checked "icon_formats.py" { python packaging\icon_formats.py $Icons }
Invoke-Checked "ISCC" {
    & $Iscc /Q "/DAppVersion=$Version" "/DBundleDir=$Bundle" "/DOutputDir=$Dist" "/DSetupIcon=$(Join-Path $Icons 'catalynx.ico')" packaging\windows\catalynx.iss
}
$Setup = Join-Path $Dist "catalynx-desktop-$Version-windows-x64-setup.exe"
Invoke-Sign @($Setup)

Write-Host "== sizes"
$BundleBytes = (Get-ChildItem $Bundle -Recurse -File | Measure-Object -Property Length -Sum).Sum
foreach ($item in @(@("bundle", $BundleBytes, $Bundle), @("zip", (Get-Item $Zip).Length, $Zip), @("setup", (Get-Item $Setup).Length, $Setup))) {
    "{0,-7} {1,7:N1} MB  {2}" -f $item[0], ($item[1] / 1e6), $item[2]
}
