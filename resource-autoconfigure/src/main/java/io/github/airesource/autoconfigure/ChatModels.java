package io.github.airesource.autoconfigure;

import java.util.function.Supplier;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The application's chat model as the advisors need it: the model its calls go to when
 * the request names none.
 */
public final class ChatModels {

	private ChatModels() {
	}

	/**
	 * Return a supplier of the default model of the application's only chat model, read
	 * when asked (the chat model may be created after the advisors).
	 * @param chatModel the chat model, if there is exactly one
	 * @return supplies the default model name, or {@code null} when there is none
	 */
	public static Supplier<String> defaultModelOf(ObjectProvider<ChatModel> chatModel) {
		return () -> {
			ChatModel model = chatModel.getIfUnique();
			return (model != null && model.getDefaultOptions() != null) ? model.getDefaultOptions().getModel() : null;
		};
	}

}
