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
from mlmath_jax.runner.schema import Int, List, Path, Str

DESCRIPTION = "PCA image compression: reconstruction error and compression ratio vs k"

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
    return metrics


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
    ctx.save_figure(fig, "reconstructions")

    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.2, 3.6), layout="constrained")
    ax1.semilogy(ks, errors, "o-", label="reconstruction MSE (left axis)")
    ax1.set_xlabel("k (components)")
    ax1.set_ylabel("reconstruction MSE")
    ax1b = ax1.twinx()
    ax1b.plot(ks, ratios, "s--", color="tab:orange", label="compression ratio (right axis)")
    ax1b.set_ylabel("compression ratio (original / stored)")
    lines = ax1.get_lines() + ax1b.get_lines()
    ax1.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="upper center")
    ax1.set_title("error and compression vs k", fontsize=9)
    ax1.grid(True, alpha=0.3)
    cum = np.cumsum(np.asarray(full.explained_variance_ratio))
    ax2.plot(np.arange(1, len(cum) + 1), cum)
    ax2.set_xlabel("k")
    ax2.set_ylabel("cumulative explained variance ratio")
    ax2.set_ylim(0, 1.02)
    ax2.grid(True, alpha=0.3)
    ax2.set_title("variance kept by the first k components", fontsize=9)
    ctx.save_figure(fig, "error_vs_k")
