package io.github.airesource.core;

import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;

/**
 * An advisor contributed by this library. Every resource advisor handles both blocking
 * and streaming calls, is stateless per call and safe to share between threads and
 * clients.
 */
public interface ResourceAdvisor extends CallAdvisor, StreamAdvisor {

}
