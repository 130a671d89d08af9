"""One picture of a selection round on one image: what A predicts, where B's classifiers
disagree, and what the round asks a person to label."""
import cv2
import numpy as np

INCONSISTENT_COLOR = (255, 64, 64)  # RGB: where B's two classifiers disagree
SELECTED_COLOR = (255, 230, 0)  # RGB: the pixels or points the round queries
ALPHA = 0.5  # weight of a colour over the image


def blend(image: np.ndarray, colors: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``image`` with ``colors`` (one per pixel, or one for all) laid over it at ``where``."""
    out = image.astype(np.float32)
    out[where] = (1 - ALPHA) * out[where] + ALPHA * np.broadcast_to(colors, out.shape)[where]
    return out.round().astype(np.uint8)


def selection_overlay(image: np.ndarray, prediction: np.ndarray, inconsistent: np.ndarray,
                      selected: np.ndarray, palette: list, point_radius: int = 1) -> np.ndarray:
    """Four panels side by side, each ``H x W`` RGB: the image, A's ``prediction`` in the
    dataset's ``palette`` over it, B's ``inconsistent`` pixels in red, the ``selected`` ones in
    yellow (grown by ``point_radius`` so points show).

    Args:
        image: ``uint8 [H, W, 3]`` RGB.
        prediction: ``[H, W]`` class ids (255: none).
        inconsistent, selected: ``bool [H, W]``.
        palette: one RGB triple per class.
    """
    colors = np.asarray(palette, dtype=np.uint8)[np.clip(prediction, 0, len(palette) - 1)]
    size = 2 * point_radius + 1
    shown = cv2.dilate(np.asarray(selected, np.uint8), np.ones((size, size), np.uint8)) > 0
    panels = [image, blend(image, colors, prediction < len(palette)),
              blend(image, np.array(INCONSISTENT_COLOR, np.uint8), np.asarray(inconsistent, bool)),
              blend(image, np.array(SELECTED_COLOR, np.uint8), shown)]
    return np.concatenate(panels, axis=1)
