package io.github.airesource.sample;

import java.io.File;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Starts headless Chromium for browser tests from the Debian packages {@code chromium}
 * and {@code chromium-driver} ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver};
 * the system properties {@code chromium.binary} and {@code chromedriver.binary} name
 * others). Both paths are given to Selenium, so Selenium Manager never runs and nothing
 * is downloaded. Without them the test is skipped with a message saying how to install
 * them, except when {@code CI=true}, where it fails, as {@code RedisTestSupport} does for
 * Redis.
 */
final class ChromiumSupport {

	private static final String INSTALL_HINT = "Install them with 'apt-get install -y chromium chromium-driver' "
			+ "(.ci/run does so when it can), or name them with -Dchromium.binary and -Dchromedriver.binary.";

	private ChromiumSupport() {
	}

	/**
	 * Start a headless Chromium, or skip (fail on CI) when there is none.
	 * @return the driver; the caller quits it
	 */
	static ChromeDriver headless() {
		File browser = new File(System.getProperty("chromium.binary", "/usr/bin/chromium"));
		File driver = new File(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
		if (!browser.canExecute() || !driver.canExecute()) {
			String reason = "no " + (browser.canExecute() ? "" : browser + " ") + (driver.canExecute() ? "" : driver);
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new AssertionError("Chromium is required on CI: " + reason.trim() + ". " + INSTALL_HINT);
			}
			Assumptions.abort("Chromium not available (" + reason.trim() + "). " + INSTALL_HINT);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(browser);
		// --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to
		// start; --disable-dev-shm-usage: a container's /dev/shm is often 64 MB.
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=1280,1800");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver)
			.usingAnyFreePort()
			.withTimeout(Duration.ofSeconds(60))
			.build();
		return new ChromeDriver(service, options);
	}

}
