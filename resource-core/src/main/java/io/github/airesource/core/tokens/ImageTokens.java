package io.github.airesource.core.tokens;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.springframework.lang.Nullable;

/**
 * Counts image inputs by OpenAI's tile rule instead of the length of their base64 text.
 *
 * <p>
 * A high-detail image is scaled to fit in 2048 x 2048, then so that its shorter side is
 * at most 768 pixels, and costs a base amount plus a fixed amount per 512 x 512 tile it
 * covers; a low-detail image costs the base amount. Base and tile costs depend on the
 * model family (gpt-4o: 85 + 170 per tile; gpt-4o-mini: 2833 + 5667; gpt-5: 70 + 140; o1
 * and o3: 75 + 150). Models that OpenAI bills by 32-pixel patches (gpt-4.1-mini,
 * gpt-4.1-nano, o4-mini) are approximated with the gpt-4o tile costs.
 *
 * <p>
 * Spring AI's OpenAI client sends images with the default {@code auto} detail, counted
 * here as high detail. An image given by URL cannot be measured without fetching it, so
 * it counts as a 1024 x 1024 image (765 tokens on gpt-4o).
 */
final class ImageTokens {

	static final int UNKNOWN_SIZE = 1024;

	private ImageTokens() {
	}

	/**
	 * Count one image.
	 * @param model the model name (decides base and tile cost)
	 * @param data the image bytes, or a URL or {@code data:} URL string
	 * @return the token count
	 */
	static int count(@Nullable String model, Object data) {
		int[] size = dimensions(data);
		return tiles(size[0], size[1], TileCost.of(model));
	}

	static int tiles(int width, int height, TileCost cost) {
		double w = width;
		double h = height;
		if (w > 2048 || h > 2048) {
			double scale = 2048.0 / Math.max(w, h);
			w *= scale;
			h *= scale;
		}
		if (Math.min(w, h) > 768) {
			double scale = 768.0 / Math.min(w, h);
			w *= scale;
			h *= scale;
		}
		int tiles = (int) Math.ceil(w / 512) * (int) Math.ceil(h / 512);
		return cost.base() + cost.perTile() * tiles;
	}

	static int[] dimensions(Object data) {
		byte[] bytes = null;
		if (data instanceof byte[] raw) {
			bytes = raw;
		}
		else if (data instanceof String text && text.startsWith("data:")) {
			int comma = text.indexOf(',');
			if (comma > 0 && text.substring(0, comma).endsWith(";base64")) {
				bytes = decodeBase64Prefix(text.substring(comma + 1));
			}
		}
		int[] size = (bytes != null) ? read(bytes) : null;
		return (size != null) ? size : new int[] { UNKNOWN_SIZE, UNKNOWN_SIZE };
	}

	private static byte[] decodeBase64Prefix(String base64) {
		// Image headers sit in the first bytes; decoding a multi-megabyte image to read
		// them would cost more than the rest of the count.
		int length = Math.min(base64.length(), 64 * 1024) & ~3;
		try {
			return Base64.getDecoder().decode(base64.substring(0, length).getBytes(StandardCharsets.US_ASCII));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	@Nullable
	private static int[] read(byte[] bytes) {
		// MemoryCacheImageInputStream: ImageIO's default stream may spill to a temp file.
		try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
			Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
			if (!readers.hasNext()) {
				return null;
			}
			ImageReader reader = readers.next();
			try {
				reader.setInput(input, true, true);
				return new int[] { reader.getWidth(0), reader.getHeight(0) };
			}
			finally {
				reader.dispose();
			}
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Base and per-tile cost of one model family.
	 *
	 * @param base tokens every image costs
	 * @param perTile tokens per 512 x 512 tile
	 */
	record TileCost(int base, int perTile) {

		static final TileCost GPT_4O = new TileCost(85, 170);

		static TileCost of(@Nullable String model) {
			String name = (model != null) ? ModelEncodings.baseName(model) : "";
			if (name.startsWith("gpt-4o-mini")) {
				return new TileCost(2833, 5667);
			}
			if (name.startsWith("gpt-5")) {
				return new TileCost(70, 140);
			}
			if (name.startsWith("o1") || name.startsWith("o3")) {
				return new TileCost(75, 150);
			}
			return GPT_4O;
		}

	}

}
