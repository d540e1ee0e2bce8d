; Per-machine install for managed desktops: nothing here but a marker that the installer was IT's.
!macro customInstall
  WriteRegStr HKLM "Software\Branchline" "InstalledBy" "installer"
!macroend
!macro customUnInstall
  DeleteRegKey HKLM "Software\Branchline"
!macroend
