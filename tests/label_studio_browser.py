"""What a person sees in Label Studio: a task's labeling screen in headless Chromium.

Debian's ``chromium`` and ``chromium-driver`` (``bash tools/label_studio/install.sh`` as root
installs them) driven by selenium (the ``dev`` extra), offline: the driver is named, so no
Selenium Manager download, and Chromium's background networking is off. A helper of the tests,
not a test module.
"""
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHROMIUM = Path('/usr/bin/chromium')
CHROMEDRIVER = Path('/usr/bin/chromedriver')
WINDOW = (1400, 1000)
FLAGS = ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
         '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync')
INSTALL_HINT = 'run `bash tools/label_studio/install.sh` as root'
# The Image tag's <img> in the labeling view (Label Studio 1.23: div.lsf-image > img); its Konva
# stage (div.konvajs-content) on top draws the regions and clips what is shown.
_IMAGE_JS = """
const img = document.querySelector('.lsf-image img');
if (!img || !img.complete || img.naturalWidth === 0) return null;
const r = img.getBoundingClientRect();
if (r.width === 0) return null;
const stage = Array.from(document.querySelectorAll('.konvajs-content'))
    .map(e => e.getBoundingClientRect())
    .find(s => s.width > 0 && s.left < r.right && r.left < s.right && s.top < r.bottom
          && r.top < s.bottom) || r;
return [r.left, r.top, r.width, r.height, img.naturalWidth, img.naturalHeight,
        stage.left, stage.top, stage.right, stage.bottom, window.devicePixelRatio || 1];
"""


class BrowserError(RuntimeError):
    """The browser could not show the task; the message says what it waited for, where."""


@dataclass(frozen=True)
class ImageBox:
    """Where the task image is in a screenshot, in screenshot pixels: ``left, top, width,
    height`` of the whole image as drawn (it may reach beyond what is shown: Label Studio
    zooms), its natural size, and ``visible`` ``(x0, y0, x1, y1)``, what its stage shows."""

    left: float
    top: float
    width: float
    height: float
    natural_width: int
    natural_height: int
    visible: tuple[int, int, int, int]

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """The screenshot pixel ``(column, row)`` of image pixel ``(x, y)``."""
        return (int(self.left + (x + 0.5) * self.width / self.natural_width),
                int(self.top + (y + 0.5) * self.height / self.natural_height))

    def shows(self, column: int, row: int) -> bool:
        """Whether screenshot pixel ``(column, row)`` shows the image (inside ``visible``)."""
        x0, y0, x1, y1 = self.visible
        return x0 <= column < x1 and y0 <= row < y1


def _driver():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} missing: the browser test needs Debian's "
                           f'chromium and chromium-driver; {INSTALL_HINT}')
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise RuntimeError("selenium is missing: install the dev extra (bash tools/install.sh, "
                           "or pip install -e '.[dev]')") from None
    profile = tempfile.TemporaryDirectory(prefix='chromium-profile-')
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f'--user-data-dir={profile.name}')
    options.add_argument(f'--window-size={WINDOW[0]},{WINDOW[1]}')
    try:
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                                  options=options)
    except Exception as err:
        profile.cleanup()
        raise RuntimeError(f'Chromium did not start ({type(err).__name__}: {err}); '
                           f'{INSTALL_HINT} if it is incomplete') from err
    return driver, profile


def _png_to_rgb(png: bytes) -> np.ndarray:
    import cv2
    bgr = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise BrowserError('the screenshot is not a PNG')
    return np.ascontiguousarray(bgr[:, :, ::-1])


def _wait(driver, what: str, condition, timeout: float, poll: float = 0.5):
    """``condition(driver)``'s first truthy value within ``timeout`` seconds, else BrowserError
    naming ``what`` and the page."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition(driver)
        if value:
            return value
        if time.monotonic() > deadline:
            raise BrowserError(f'timed out after {timeout:.0f} s waiting for {what} (page '
                               f'{driver.current_url!r}, title {driver.title!r})')
        time.sleep(poll)


def login(driver, url: str, email: str, password: str, timeout: float = 60) -> None:
    """Log in through Label Studio's login page (``/user/login/``, fields email and password);
    BrowserError when it stays on the login page."""
    from selenium.webdriver.common.by import By
    driver.get(url.rstrip('/') + '/user/login/')
    _wait(driver, 'the login form', lambda d: d.find_elements(By.NAME, 'email'), timeout)
    driver.find_element(By.NAME, 'email').send_keys(email)
    field = driver.find_element(By.NAME, 'password')
    field.send_keys(password)
    field.submit()
    try:
        _wait(driver, 'the page after the login',
              lambda d: '/user/login' not in d.current_url, timeout)
    except BrowserError:
        raise BrowserError(f'the login of {email!r} at {url} was refused (still on '
                           f'{driver.current_url})') from None


def image_box(driver, timeout: float = 60) -> ImageBox:
    """The task image's :class:`ImageBox` once the labeling canvas's image has loaded
    (``naturalWidth > 0``); BrowserError after ``timeout`` seconds."""
    found = _wait(driver, 'the task image of the labeling screen to load (.lsf-image img '
                  'with naturalWidth > 0)', lambda d: d.execute_script(_IMAGE_JS), timeout)
    ratio = found[10]
    left, top, width, height = (v * ratio for v in found[:4])
    visible = tuple(round(v * ratio) for v in found[6:10])
    return ImageBox(left, top, width, height, int(found[4]), int(found[5]), visible)


def crop_image_area(screenshot: np.ndarray, box: ImageBox) -> np.ndarray:
    """The part of ``screenshot`` that shows the task image (``box.visible``)."""
    x0, y0, x1, y1 = box.visible
    return screenshot[max(y0, 0):y1, max(x0, 0):x1]


def task_screenshot(url: str, email: str, password: str, project_id: int, task_id: int,
                    out_png: str | Path, timeout: float = 90,
                    settle: float = 3.0) -> tuple[np.ndarray, ImageBox]:
    """Log in as ``email``, open the labeling screen of ``task_id``
    (``/projects/{project_id}/data?task={task_id}``), wait until its image has loaded, then
    ``settle`` seconds for the regions to be drawn; save the screenshot to ``out_png``.

    Returns it as RGB uint8 (HxWx3) with the image's :class:`ImageBox` in it. Any failure
    raises BrowserError naming what it waited for (after saving what the browser showed to
    ``out_png``), RuntimeError when Chromium, its driver or selenium is missing.
    """
    out_png = Path(out_png)
    driver, profile = _driver()
    try:
        try:
            driver.set_window_size(*WINDOW)
            driver.set_page_load_timeout(timeout)
            login(driver, url, email, password, timeout)
            driver.get(f'{url.rstrip("/")}/projects/{project_id}/data?task={task_id}')
            image_box(driver, timeout)
            time.sleep(settle)
            box = image_box(driver, timeout)  # where it is once the view settled
            png = driver.get_screenshot_as_png()
        except Exception as err:
            try:
                driver.save_screenshot(str(out_png))
                saved = f' (what the browser showed: {out_png})'
            except Exception:  # the browser itself is gone
                saved = ''
            if isinstance(err, BrowserError):
                raise BrowserError(f'{err}{saved}') from None
            raise BrowserError(f'the browser failed on task {task_id} of project {project_id} '
                               f'at {url}: {type(err).__name__}: {err}{saved}') from err
        out_png.write_bytes(png)
        return _png_to_rgb(png), box
    finally:
        driver.quit()
        profile.cleanup()


def screenshot_task(url: str, email: str, password: str, project_id: int, task_id: int,
                    out_png: str | Path, timeout: float = 90) -> np.ndarray:
    """:func:`task_screenshot`'s RGB screenshot alone."""
    return task_screenshot(url, email, password, project_id, task_id, out_png, timeout)[0]
