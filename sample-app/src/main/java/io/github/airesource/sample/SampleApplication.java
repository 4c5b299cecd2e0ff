package io.github.airesource.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A chat service that uses the AI Resource starter the way an application would: every
 * {@code ChatClient} call is accounted for, with no resource code in the application.
 * Without {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} it answers with a demo model.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
