package io.github.airesource.sample;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard at {@code /} in headless Chromium, on the demo model: a message sent
 * through its form moves the token counter and the cost. A screenshot of the page after
 * the call is kept as {@code target/dashboard.png}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.ai.model.chat=none", "sample.demo-model=true" })
class DashboardBrowserTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private ChromeDriver browser;

	@LocalServerPort
	private int port;

	// Per test rather than @BeforeAll: surefire reports a test skipped in a @BeforeAll
	// as neither run nor skipped, and the message saying how to install Chromium is lost.
	@BeforeEach
	void startBrowser() {
		this.browser = ChromiumSupport.headless();
	}

	@AfterEach
	void quitBrowser() {
		if (this.browser != null) {
			this.browser.quit();
		}
	}

	@Test
	void whenAMessageIsSentThroughTheFormThenTheTokenCounterAndTheCostChange() throws IOException {
		// A one-second poll, so that the page settles quickly; the form also polls at
		// once
		// after an answer.
		this.browser.get("http://localhost:" + this.port + "/?interval=1");
		WebDriverWait wait = new WebDriverWait(this.browser, PATIENCE);
		wait.until(
				ExpectedConditions.attributeToBeNotEmpty(this.browser.findElement(By.tagName("body")), "data-polls"));
		String tokensBefore = text("total-tokens");
		String costBefore = text("total-cost");
		assertThat(tokensBefore).isEqualTo("0");
		assertThat(costBefore).isEqualTo("$0.000000");
		assertThat(text("alerts")).isIn("not enabled", "no active alerts");

		// A message no other test sends, so that the response cache cannot answer it.
		this.browser.findElement(By.id("chat-message")).sendKeys("How do I read this dashboard? " + UUID.randomUUID());
		this.browser.findElement(By.id("chat-send")).click();

		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("chat-reply"), "[demo model]"));
		wait.until((driver) -> !text("total-tokens").equals(tokensBefore) && !text("total-cost").equals(costBefore));
		assertThat(Long.parseLong(text("total-tokens").replace(",", ""))).isPositive();
		assertThat(new BigDecimal(text("total-cost").substring(1))).isPositive();
		assertThat(text("total-calls")).isEqualTo("1");
		assertThat(this.browser.findElement(By.id("demo-badge")).isDisplayed()).isTrue();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tokens-legend"), "demo-model"));
		assertThat(text("budgets")).contains("per-user-daily").contains("alice");
		assertThat(text("bulkhead-active")).isEqualTo("0 / 4");

		Path screenshot = Path.of("target", "dashboard.png");
		Files.createDirectories(screenshot.getParent());
		Files.copy(this.browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot,
				StandardCopyOption.REPLACE_EXISTING);
		assertThat(screenshot).isNotEmptyFile();
	}

	private String text(String id) {
		return this.browser.findElement(By.id(id)).getText().trim();
	}

}
