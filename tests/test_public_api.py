"""The package's public API imports and stays small and sorted."""

import iku_xl


def test_public_api_imports_and_all_is_sorted():
    assert iku_xl.__all__ == sorted(iku_xl.__all__)
    for name in iku_xl.__all__:
        assert getattr(iku_xl, name) is not None


def test_the_button_path_imports_no_workbook_file_library():
    import subprocess
    import sys

    code = (
        "import sys, iku_xl.excel; heavy = {'openpyxl', 'xlsxwriter', 'pyopenvba'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"XLWINGS_LICENSE_KEY": "noncommercial", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.strip() == "[]"
