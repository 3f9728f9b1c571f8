"""PCA Image Compressor: keep k principal components of an image's rows.

Treat a grayscale image (h × w) as h examples of dimension w. PCA finds the w-dimensional
directions of largest variance; an image stored as k components (k × w), the row mean
(w) and each row's k coordinates (h × k) takes k·(h + w) + w numbers instead of h·w. The
reconstruction X̂ = Z·W + μ gets better as k grows (its error never rises) and is exact
when k reaches the rank.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mlmath_jax import plotting
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.models import pca
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Int, List, Path, Str

DESCRIPTION = "PCA image compression: reconstruction error and compression ratio vs k"

LESSON = Lesson(
    title="Compressing an image with PCA",
    chapter="linear algebra",
    concept="""Principal component analysis finds the directions along which data varies
most. Read a grayscale image as a stack of rows, each row one data point: a few
directions (principal components) describe most of what changes from row to row.

Storing only the first k components, the mean row, and each row's k coordinates takes
k·(h + w) + w numbers instead of h·w. The reconstruction from k components gets better as
k grows — its error never rises — at the price of a smaller compression ratio.""",
    equations=(r"X \approx \hat{X} = Z W + \mathbf{1}\mu^{\top}, \quad "
               r"Z = (X - \mathbf{1}\mu^{\top}) W^{\top}",
               r"\text{ratio} = \frac{h w}{k (h + w) + w}",
               r"\text{kept variance} = \frac{\sum_{i \le k} \sigma_i^2}{\sum_i \sigma_i^2}"),
    try_next=(
        TryNext(("pca.ks=[1, 2, 3]",),
                "one to three components: only the coarsest light and dark regions survive, "
                "and the error is several times larger"),
        TryNext(("image.source=flower",),
                "scikit-learn's other sample photo, a flower, compressed the same way"),
        TryNext(("pca.method=covariance",),
                "the components from the eigenvectors of the covariance matrix instead of "
                "the SVD: the same errors, up to rounding"),
    ),
    main_figure="reconstructions.png",
    headline="mse",
)

SCHEMA = {
    "image": {
        "source": Str("china", choices=("china", "flower", "file"),
                      help="scikit-learn's bundled sample images, or a PNG file"),
        "path": Path(None, help="file: a PNG image"),
        "downscale": Int(2, min=1, max=16, help="average blocks of this many pixels"),
    },
    "pca": {
        "ks": List([5, 10, 20, 40, 80], item=Int(1, min=1), min_len=1,
                   help="numbers of components to try"),
        "method": Str("svd", choices=("svd", "covariance")),
    },
}


def check(cfg):
    if cfg.image.source == "file" and cfg.image.path is None:
        raise ConfigError("image.path is required when image.source = 'file'")


def load_gray(cfg) -> np.ndarray:
    """The image as float64 grayscale in [0, 1], block-averaged by ``downscale``."""
    if cfg.image.source == "file":
        import matplotlib.image as mpimg

        if not str(cfg.image.path).lower().endswith(".png"):
            raise UserError(f"{cfg.image.path}: only PNG files can be read")
        try:
            img = np.asarray(mpimg.imread(cfg.image.path), np.float64)
        except (OSError, ValueError, SyntaxError) as exc:
            raise UserError(f"{cfg.image.path}: cannot read as a PNG image ({exc})") from None
    else:
        from sklearn.datasets import load_sample_image

        img = np.asarray(load_sample_image(f"{cfg.image.source}.jpg"), np.float64) / 255.0
    if img.ndim == 3:                                     # ITU-R 601 luma from RGB(A)
        img = img[..., :3] @ np.array([0.299, 0.587, 0.114])
    f = cfg.image.downscale
    h, w = (img.shape[0] // f) * f, (img.shape[1] // f) * f
    if h < 2 or w < 2:
        raise UserError(f"the image is too small ({img.shape[0]}×{img.shape[1]}) for "
                        f"downscale = {f}")
    return img[:h, :w].reshape(h // f, f, w // f, f).mean(axis=(1, 3))


def run(cfg, key, ctx):
    gray = load_gray(cfg)
    h, w = gray.shape
    X = jnp.asarray(gray, ctx.dtype)
    ks = sorted(set(cfg.pca.ks))
    if ks[-1] > min(h, w):
        raise ConfigError(f"pca.ks: {ks[-1]} components asked of a {h}×{w} image; "
                          f"at most {min(h, w)}")
    full = pca.pca(X, ks[-1], method=cfg.pca.method)   # the top k of this fit serve
    total_var = float(jnp.sum((X - full.mean[None, :]) ** 2))   # every smaller k too
    ctx.print(f"image {h}×{w}, components up to {ks[-1]}")
    errors, ratios, recons = [], [], {}
    for k in ks:
        r = pca.PCAResult(full.components[:k], full.explained_variance[:k],
                          full.explained_variance_ratio[:k], full.mean)
        X_hat = pca.reconstruct(r, pca.transform(r, X))
        mse = float(jnp.mean((X - X_hat) ** 2))
        ratio = (h * w) / (k * (h + w) + w)
        psnr = 10 * np.log10(1.0 / mse) if mse > 0 else float("inf")
        errors.append(mse)
        ratios.append(ratio)
        recons[k] = np.asarray(X_hat)
        ctx.log(k, mse=mse, psnr_db=psnr, compression_ratio=ratio,
                explained_variance=float(jnp.sum(r.explained_variance_ratio)))
    # Reference: scikit-learn's PCA at the largest k.
    from sklearn.decomposition import PCA

    sk = PCA(n_components=ks[-1], svd_solver="full").fit(gray)
    sk_recon = sk.inverse_transform(sk.transform(gray))
    metrics = {
        "image_shape": [h, w],
        "ks": ks,
        "mse": errors,
        "compression_ratio": ratios,
        "explained_variance_ratio_at_k": [float(jnp.sum(full.explained_variance_ratio[:k]))
                                          for k in ks],
        "error_never_rises": all(b <= a * (1 + 1e-5) + 1e-12
                                 for a, b in zip(errors, errors[1:], strict=False)),
        "sklearn_reconstruction_max_abs_diff": float(np.max(np.abs(recons[ks[-1]] - sk_recon))),
        "sklearn_explained_variance_ratio_max_abs_diff": float(np.max(np.abs(
            np.asarray(full.explained_variance_ratio) - sk.explained_variance_ratio_))),
        "total_variance_sum_over_columns": total_var / (h - 1),
    }
    _figures(ctx, gray, recons, ks, errors, ratios, full)
    _observe(ctx, metrics, gray)
    return metrics


def _observe(ctx, m, gray):
    ks, mse, ratio, kept = m["ks"], m["mse"], m["compression_ratio"], \
        m["explained_variance_ratio_at_k"]
    h, w = m["image_shape"]
    if len(ks) > 1:
        ctx.observe(f"The error never rose as k grew: the reconstruction MSE went from "
                    f"{fmt(mse[0])} at k = {ks[0]} to {fmt(mse[-1])} at k = {ks[-1]}, while "
                    f"the stored size went from {fmt(ratio[0])}× to {fmt(ratio[-1])}× "
                    f"smaller than the {h}×{w} image.", m["error_never_rises"],
                    f"The error rose somewhere between k = {ks[0]} and k = {ks[-1]} "
                    f"(MSE {fmt(mse)}).")
    ctx.observe(f"{ks[-1]} components keep {fmt(100 * kept[-1])}% of the variance of the "
                f"rows" + (f"; {ks[0]} keep{'s' * int(ks[0] == 1)} {fmt(100 * kept[0])}%."
                           if len(ks) > 1 else "."),
                all(a <= b + 1e-6 for a, b in zip(kept, kept[1:], strict=False))
                and 0 <= kept[-1] <= 1 + 1e-6,
                f"The kept variance fractions {fmt(kept)} are not increasing in k.")
    gap = m["sklearn_reconstruction_max_abs_diff"]
    tol = 1e-3 if np.dtype(ctx.dtype) == np.float32 else 1e-8
    ctx.observe(f"The reconstruction with k = {ks[-1]} matches scikit-learn's PCA to "
                f"{fmt(gap)} per pixel (pixels run from 0 to 1).", gap <= tol,
                f"The reconstruction with k = {ks[-1]} differs from scikit-learn's by up to "
                f"{fmt(gap)} per pixel.")


def _figures(ctx, gray, recons, ks, errors, ratios, full):
    n = len(ks) + 1
    cols = min(n, 3)
    rows = -(-n // cols)
    aspect = gray.shape[0] / gray.shape[1]
    fig, axes = plotting.subplots(rows, cols, size=(4.0, 4.0 * aspect + 0.4))
    axes = np.atleast_1d(axes).ravel()
    axes[0].imshow(gray, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"original {gray.shape[0]}×{gray.shape[1]}", fontsize=9)
    for ax, k, e, r in zip(axes[1:], ks, errors, ratios, strict=False):
        ax.imshow(np.clip(recons[k], 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"k = {k}: {r:.1f}× smaller, MSE {e:.2e}", fontsize=9)
    for ax in axes:
        ax.axis("off")
    ctx.save_figure(fig, "reconstructions", caption="The grayscale image and its "
                    "reconstructions from k principal components, with the compression "
                    "ratio and the mean squared error of each.")

    fig, (ax1, ax2) = plotting.subplots(2, 1, size=(6.4, 3.4), layout="constrained")
    ax1.semilogy(ks, errors, "o-", label="reconstruction MSE (left axis)")
    ax1.set_xlabel("k (components)")
    ax1.set_ylabel("reconstruction MSE")
    ax1b = ax1.twinx()
    ax1b.plot(ks, ratios, "s--", color="tab:orange", label="compression ratio (right axis)")
    ax1b.set_ylabel("compression ratio (original / stored)")
    lines = ax1.get_lines() + ax1b.get_lines()
    ax1.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="upper right")
    ax1.set_title("error and compression vs k", fontsize=9)
    ax1.grid(True, alpha=0.3)
    cum = np.cumsum(np.asarray(full.explained_variance_ratio))
    ax2.plot(np.arange(1, len(cum) + 1), cum)
    ax2.set_xlabel("k")
    ax2.set_ylabel("cumulative explained variance ratio")
    ax2.set_ylim(0, 1.02)
    ax2.grid(True, alpha=0.3)
    ax2.set_title("variance kept by the first k components", fontsize=9)
    ctx.save_figure(fig, "error_vs_k", caption="Top: reconstruction error (log scale, left "
                    "axis) and compression ratio (right axis) for each k tried. Bottom: the "
                    "fraction of the variance kept by the first k components.")
