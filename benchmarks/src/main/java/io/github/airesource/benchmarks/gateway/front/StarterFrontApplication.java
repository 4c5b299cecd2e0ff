package io.github.airesource.benchmarks.gateway.front;

import io.github.airesource.benchmarks.HashEmbeddingModel;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;

/**
 * The starter behind OpenAI's HTTP API, path (b) of the gateway comparison: Spring MVC on
 * Tomcat, the real {@code spring-ai-openai} client over the starter's pooled HttpClient
 * 5, and every feature of the starter on, with in-memory stores (see
 * {@code starter-front.yml}). Its configuration file is {@code starter-front.yml} rather
 * than {@code application.yml}, so that nothing else on the benchmarks' class path picks
 * it up.
 *
 * <p>
 * Run: {@code java -cp ... StarterFrontApplication --server.port=18081
 * --spring.ai.openai.base-url=http://127.0.0.1:18080}.
 */
@SpringBootApplication
public class StarterFrontApplication {

	/**
	 * The semantic cache's embedding model.
	 * @return a hash-based stand-in
	 */
	@Bean
	EmbeddingModel hashEmbeddingModel() {
		return new HashEmbeddingModel();
	}

	/**
	 * Start the front.
	 * @param args Spring Boot's command-line properties
	 */
	public static void main(String[] args) {
		new SpringApplicationBuilder(StarterFrontApplication.class).properties("spring.config.name=starter-front")
			.run(args);
	}

}
