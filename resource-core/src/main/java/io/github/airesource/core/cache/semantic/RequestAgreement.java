package io.github.airesource.core.cache.semantic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safety guard of the semantic cache: two requests may share an answer only when the
 * details an embedding blurs agree, whatever their cosine similarity. With
 * all-MiniLM-L6-v2, "cancel order 1234" and "cancel order 5678", or "turn on the alarm"
 * and "turn off the alarm", score above 0.97; no threshold separates them from true
 * paraphrases.
 *
 * <p>
 * Each request's text is reduced to a {@link Signature} of five ordered lists, and two
 * requests agree only when every list is equal, element by element, in the same order:
 * <ol>
 * <li><b>numbers</b>: digit runs ({@code 1,234} and {@code 1234} are one number; the
 * parts of {@code 3.5} and of dates stay apart), and number words ({@code two} is
 * {@code 2}, {@code second} is {@code 2nd}, {@code dozen}, {@code hundred}, ...);</li>
 * <li><b>quoted strings</b>: text between straight, typographic or back quotes, compared
 * without case;</li>
 * <li><b>negations</b>: {@code not}, {@code no}, {@code never}, {@code without},
 * {@code except}, {@code none}, {@code nothing}, {@code nobody}, {@code neither},
 * {@code nor}, {@code cannot} and every {@code n't} contraction, with or without the
 * apostrophe;</li>
 * <li><b>polarity words</b>: one side of an antonym pair, such as on/off (only right
 * after a phrasal verb such as turn, switch or log, where they are particles, not
 * prepositions), enable/disable, activate/deactivate, open/close, start/stop,
 * lock/unlock, add/remove, increase/decrease, more/less, before/after, buy/sell,
 * import/export, upload/download, allow/deny, show/hide, include/exclude,
 * install/uninstall, connect/disconnect, login/logout, in/out and up/down particles,
 * comparatives such as cheapest/most expensive, relative days (today, tomorrow,
 * yesterday, ...), and units (km, miles, celsius, fahrenheit, kg, pounds, ...); words of
 * one meaning map to one token, so "turn on" and "enable" agree and "turn on" and
 * "disable" do not;</li>
 * <li><b>named entities</b>: capitalized words (sentence-initial ones too, unless they
 * are common sentence starters such as What, How or Please), acronyms, and words with
 * inner capitals or digits ({@code iPhone}, {@code GPT-4o}), compared without case and
 * without a possessive {@code 's}.</li>
 * </ol>
 *
 * <p>
 * The lists are deliberately strict: a missed hit costs one model call, a wrong hit gives
 * a user a wrong answer. Lower-case entities ("hotels in paris") are not recognized; the
 * embedding must separate those.
 */
public final class RequestAgreement {

	private static final Pattern TOKEN = Pattern
		.compile("\\d+(?:,\\d{3})+(?![\\d])|\\d+|[\\p{L}][\\p{L}\\p{N}'’_-]*|[\"“”`]");

	private static final Pattern QUOTED = Pattern
		.compile("\"([^\"]*)\"|“([^”]*)”|`([^`]*)`|(?<![\\p{L}\\p{N}])'([^']+)'(?![\\p{L}\\p{N}])");

	private static final Map<String, String> NUMBER_WORDS = new HashMap<>();

	private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "without", "except", "excluding", "none",
			"nothing", "nobody", "nowhere", "neither", "nor", "cannot", "dont", "doesnt", "didnt", "cant", "wont",
			"isnt", "arent", "wasnt", "werent", "shouldnt", "couldnt", "wouldnt", "hasnt", "havent", "hadnt", "aint",
			"mustnt", "neednt");

	/** Polarity words and their canonical token; synonyms share one. */
	private static final Map<String, String> POLARITY = new HashMap<>();

	/** Verbs after which on/off/up/down/in/out are particles that flip the meaning. */
	private static final Set<String> PHRASAL_VERBS = Set.copyOf(Arrays.asList("turn", "turned", "turning", "turns",
			"switch", "switched", "switching", "switches", "power", "powered", "powering", "log", "logged", "logging",
			"logs", "sign", "signed", "signing", "signs", "opt", "opted", "opting", "check", "checked", "checking",
			"scale", "scaled", "scaling", "shut", "shutting", "zoom", "zooming", "plug", "plugged", "clock", "clocked",
			"put", "set", "roll", "rolled", "ramp", "go", "going", "speed", "slow", "move", "flip", "toggle", "dial",
			"cut", "boot", "start", "starting"));

	private static final Map<String, String> PARTICLES = Map.of("on", "+switch", "off", "-switch", "up", "up", "down",
			"down", "in", "in", "out", "out");

	/** Capitalized words that start sentences and name nothing. */
	private static final Set<String> STARTERS = Set.copyOf(Arrays.asList("what", "whats", "what's", "how", "hows",
			"how's", "why", "when", "where", "wheres", "where's", "who", "whos", "who's", "which", "whose", "whom",
			"is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "would", "will", "shall", "may",
			"might", "must", "have", "has", "had", "please", "tell", "give", "show", "list", "explain", "describe",
			"find", "i", "i'm", "im", "i've", "i'd", "i'll", "my", "me", "we", "our", "you", "your", "the", "a", "an",
			"this", "that", "these", "those", "there", "it", "its", "it's", "in", "on", "at", "for", "to", "from", "of",
			"with", "by", "about", "if", "and", "or", "but", "so", "hi", "hello", "hey", "help", "compare", "write",
			"make", "create", "get", "set", "any", "some", "all", "each", "every", "let's", "lets", "need", "want",
			"looking", "summarize", "translate", "define", "name", "suggest", "recommend", "check", "calculate",
			"convert", "generate", "provide", "am", "be", "yes", "ok", "okay", "thanks", "thank", "could", "after",
			"before", "also", "then", "now", "just", "quick", "question", "is there", "are there", "any", "again",
			"kindly", "hey there", "one", "two", "best", "good", "new", "change", "update", "reset", "cancel", "delete",
			"remove", "add", "turn", "switch", "enable", "disable", "open", "close", "start", "stop", "book", "send",
			"look", "see", "say", "use", "using", "go", "try", "take", "keep", "buy", "sell", "pay", "track", "view",
			"where's", "whereabouts", "roughly", "approximately", "about", "exactly", "really", "actually"));

	/**
	 * Tokens since the last phrasal verb when there was none (kept small: no overflow).
	 */
	private static final int NO_VERB = 1000;

	private static final Set<String> PRONOUN_I = Set.of("i", "i'm", "i've", "i'd", "i'll");

	static {
		String[] units = { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
				"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
				"twenty" };
		for (int i = 0; i < units.length; i++) {
			NUMBER_WORDS.put(units[i], Integer.toString(i));
		}
		String[] tens = { "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety" };
		for (int i = 0; i < tens.length; i++) {
			NUMBER_WORDS.put(tens[i], Integer.toString(30 + 10 * i));
		}
		NUMBER_WORDS.put("hundred", "100");
		NUMBER_WORDS.put("thousand", "1000");
		NUMBER_WORDS.put("million", "1000000");
		NUMBER_WORDS.put("billion", "1000000000");
		NUMBER_WORDS.put("dozen", "12");
		NUMBER_WORDS.put("half", "0.5");
		NUMBER_WORDS.put("quarter", "0.25");
		NUMBER_WORDS.put("twice", "2x");
		NUMBER_WORDS.put("double", "2x");
		NUMBER_WORDS.put("triple", "3x");
		NUMBER_WORDS.put("once", "1x");
		String[] ordinals = { "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
				"tenth" };
		for (int i = 0; i < ordinals.length; i++) {
			NUMBER_WORDS.put(ordinals[i], (i + 1) + "th");
		}
		polarity("+switch", "enable", "enabled", "enables", "enabling", "activate", "activated", "activates",
				"activating", "unmute", "unmuted");
		polarity("-switch", "disable", "disabled", "disables", "disabling", "deactivate", "deactivated", "deactivates",
				"deactivating", "mute", "muted");
		polarity("+start", "start", "starts", "started", "starting", "begin", "begins", "began", "beginning", "launch",
				"launched", "launching", "restart", "restarted");
		polarity("-start", "stop", "stops", "stopped", "stopping", "end", "ends", "ended", "ending", "halt", "halted",
				"terminate", "terminated", "kill", "killed", "quit", "finish", "finished");
		polarity("+pause", "resume", "resumed", "unpause", "continue");
		polarity("-pause", "pause", "paused", "suspend", "suspended");
		polarity("+open", "open", "opens", "opened", "opening", "reopen");
		polarity("-open", "close", "closes", "closed", "closing", "shut");
		polarity("+lock", "lock", "locks", "locked", "locking", "block", "blocked", "blocking", "ban", "banned");
		polarity("-lock", "unlock", "unlocks", "unlocked", "unlocking", "unblock", "unblocked", "unban");
		polarity("+add", "add", "adds", "added", "adding", "insert", "inserted", "append", "create", "created",
				"creating", "new");
		polarity("-add", "remove", "removes", "removed", "removing", "delete", "deletes", "deleted", "deleting", "drop",
				"dropped", "erase", "erased");
		polarity("+more", "increase", "increases", "increased", "increasing", "raise", "raised", "raising", "more",
				"higher", "highest", "maximum", "max", "maximize", "most", "grow", "upgrade", "upgraded", "plus",
				"greater", "above", "over", "exceed", "exceeds");
		polarity("-more", "decrease", "decreases", "decreased", "decreasing", "reduce", "reduced", "reducing", "lower",
				"lowered", "lowest", "less", "fewer", "least", "minimum", "min", "minimize", "shrink", "downgrade",
				"downgraded", "minus", "smaller", "below", "under");
		polarity("+before", "before", "earlier", "earliest", "prior", "previous", "previously", "last", "past", "ago");
		polarity("-before", "after", "later", "latest", "next", "following", "upcoming", "future");
		polarity("+buy", "buy", "buys", "bought", "buying", "purchase", "purchased", "purchasing");
		polarity("-buy", "sell", "sells", "sold", "selling");
		polarity("+import", "import", "imports", "imported", "importing");
		polarity("-import", "export", "exports", "exported", "exporting");
		polarity("+upload", "upload", "uploads", "uploaded", "uploading");
		polarity("-upload", "download", "downloads", "downloaded", "downloading");
		polarity("+send", "send", "sends", "sent", "sending", "outgoing", "outbound");
		polarity("-send", "receive", "receives", "received", "receiving", "incoming", "inbound");
		polarity("+allow", "allow", "allows", "allowed", "allowing", "permit", "permitted", "grant", "granted",
				"accept", "accepted", "approve", "approved", "whitelist");
		polarity("-allow", "deny", "denies", "denied", "denying", "forbid", "forbidden", "revoke", "revoked", "reject",
				"rejected", "decline", "declined", "refuse", "refused", "blacklist");
		polarity("+show", "show", "shows", "showed", "shown", "unhide", "display", "visible", "reveal");
		polarity("-show", "hide", "hides", "hid", "hidden", "hiding", "invisible", "conceal");
		polarity("+include", "include", "includes", "included", "including");
		polarity("-include", "exclude", "excludes", "excluded");
		polarity("+install", "install", "installs", "installed", "installing");
		polarity("-install", "uninstall", "uninstalls", "uninstalled", "uninstalling");
		polarity("+connect", "connect", "connects", "connected", "connecting", "attach", "attached", "mount", "mounted",
				"subscribe", "subscribed", "join", "joined", "follow", "followed");
		polarity("-connect", "disconnect", "disconnects", "disconnected", "detach", "detached", "unmount", "unmounted",
				"unsubscribe", "unsubscribed", "leave", "left", "unfollow", "unfollowed");
		polarity("+login", "login", "signin");
		polarity("-login", "logout", "signout");
		polarity("+encrypt", "encrypt", "encrypts", "encrypted", "encrypting", "encode", "encoded", "compress",
				"compressed", "zip");
		polarity("-encrypt", "decrypt", "decrypts", "decrypted", "decrypting", "decode", "decoded", "decompress",
				"decompressed", "unzip");
		polarity("+true", "true", "yes", "positive", "correct", "valid", "legal", "safe");
		polarity("-true", "false", "negative", "incorrect", "wrong", "invalid", "illegal", "unsafe", "dangerous");
		polarity("+cheap", "cheap", "cheaper", "cheapest", "inexpensive", "affordable");
		polarity("-cheap", "expensive", "pricier", "priciest", "costly");
		polarity("+fast", "fast", "faster", "fastest", "quick", "quicker", "quickest", "speed");
		polarity("-fast", "slow", "slower", "slowest");
		polarity("+big", "big", "bigger", "biggest", "large", "larger", "largest", "long", "longer", "longest", "heavy",
				"heavier", "tall", "taller");
		polarity("-big", "small", "smallest", "little", "short", "shorter", "shortest", "light", "lighter", "tiny");
		polarity("+good", "best", "better", "good", "great");
		polarity("-good", "worst", "worse", "bad", "poor");
		polarity("+hot", "hot", "hotter", "warm", "warmer", "heat", "heating");
		polarity("-hot", "cold", "colder", "cool", "cooler", "cooling", "freeze", "freezing");
		polarity("+old", "old", "older", "oldest", "legacy", "outdated");
		polarity("-old", "newer", "newest", "modern", "young", "younger");
		polarity("+win", "win", "wins", "won", "winning", "winner", "pass", "passed", "succeed", "success");
		polarity("-win", "lose", "loses", "lost", "losing", "loser", "fail", "failed", "failure");
		polarity("+left", "left-hand");
		polarity("-left", "right", "right-hand");
		polarity("+up", "upstairs", "upward", "upwards", "ascending", "asc");
		polarity("-up", "downstairs", "downward", "downwards", "descending", "desc");
		polarity("+public", "public");
		polarity("-public", "private");
		polarity("+input", "input", "inputs");
		polarity("-input", "output", "outputs");
		polarity("+debit", "debit");
		polarity("-debit", "credit");
		polarity("+refund", "refund", "refunds", "return", "returns");
		polarity("-refund", "exchange", "exchanges");
		for (String direction : new String[] { "north", "south", "east", "west", "northern", "southern", "eastern",
				"western" }) {
			polarity("dir:" + direction.replace("ern", ""), direction);
		}
		polarity("day:0", "today", "tonight");
		polarity("day:+1", "tomorrow");
		polarity("day:-1", "yesterday");
		polarity("period:day", "daily", "day", "days");
		polarity("period:week", "weekly", "week", "weeks", "weekend", "weekends");
		polarity("period:month", "monthly", "month", "months");
		polarity("period:year", "yearly", "annual", "annually", "year", "years");
		polarity("period:hour", "hourly", "hour", "hours");
		polarity("period:minute", "minute", "minutes");
		polarity("period:second", "seconds");
		polarity("part:morning", "morning", "mornings");
		polarity("part:evening", "evening", "evenings", "night", "nights");
		polarity("unit:km", "km", "kilometer", "kilometers", "kilometre", "kilometres");
		polarity("unit:mile", "mile", "miles", "mi", "mph");
		polarity("unit:m", "meter", "meters", "metre", "metres");
		polarity("unit:ft", "foot", "feet", "ft");
		polarity("unit:in", "inch", "inches");
		polarity("unit:cm", "cm", "centimeter", "centimeters", "centimetre", "centimetres");
		polarity("unit:mm", "mm", "millimeter", "millimeters");
		polarity("unit:kg", "kg", "kilo", "kilos", "kilogram", "kilograms");
		polarity("unit:lb", "lb", "lbs", "pound", "pounds");
		polarity("unit:g", "gram", "grams");
		polarity("unit:oz", "oz", "ounce", "ounces");
		polarity("unit:c", "celsius", "centigrade");
		polarity("unit:f", "fahrenheit");
		polarity("unit:k", "kelvin");
		polarity("unit:l", "liter", "liters", "litre", "litres");
		polarity("unit:gal", "gallon", "gallons");
		polarity("unit:usd", "usd", "dollar", "dollars");
		polarity("unit:eur", "eur", "euro", "euros");
		polarity("unit:gbp", "gbp", "sterling");
		polarity("unit:jpy", "jpy", "yen");
		polarity("unit:byte", "byte", "bytes");
		polarity("unit:kb", "kb", "kilobyte", "kilobytes");
		polarity("unit:mb", "mb", "megabyte", "megabytes");
		polarity("unit:gb", "gb", "gigabyte", "gigabytes");
		polarity("unit:tb", "tb", "terabyte", "terabytes");
		polarity("unit:pct", "percent", "percentage");
	}

	private RequestAgreement() {
	}

	private static void polarity(String token, String... words) {
		for (String word : words) {
			POLARITY.put(word, token);
		}
	}

	/**
	 * Return whether two requests agree on every detail the guard compares.
	 * @param first one request's text
	 * @param second the other request's text
	 * @return {@code true} when numbers, quoted strings, negations, polarity words and
	 * named entities all agree in the same order
	 */
	public static boolean agree(String first, String second) {
		return signatureOf(first).equals(signatureOf(second));
	}

	/**
	 * Return the details of a request's text that the guard compares.
	 * @param text the text
	 * @return the signature
	 */
	public static Signature signatureOf(String text) {
		List<String> numbers = new ArrayList<>();
		List<String> quoted = new ArrayList<>();
		List<String> negations = new ArrayList<>();
		List<String> polarity = new ArrayList<>();
		List<String> entities = new ArrayList<>();
		Matcher quotes = QUOTED.matcher(text);
		while (quotes.find()) {
			for (int group = 1; group <= quotes.groupCount(); group++) {
				if (quotes.group(group) != null) {
					quoted.add(quotes.group(group).trim().toLowerCase(Locale.ROOT));
				}
			}
		}
		Matcher tokens = TOKEN.matcher(text);
		boolean sentenceStart = true;
		int sincePhrasalVerb = NO_VERB;
		int previousEnd = 0;
		while (tokens.find()) {
			String token = tokens.group();
			if (endsSentence(text, previousEnd, tokens.start())) {
				sentenceStart = true;
			}
			previousEnd = tokens.end();
			char first = token.charAt(0);
			if (Character.isDigit(first)) {
				numbers.add(stripLeadingZeros(token.replace(",", "")));
				sentenceStart = false;
				sincePhrasalVerb = Math.min(NO_VERB, sincePhrasalVerb + 1);
				continue;
			}
			if (first == '"' || first == '“' || first == '”' || first == '`') {
				continue;
			}
			String word = token.replace('’', '\'');
			String lower = word.toLowerCase(Locale.ROOT);
			if (lower.endsWith("'s")) {
				lower = lower.substring(0, lower.length() - 2);
				word = word.substring(0, word.length() - 2);
			}
			String bare = lower.replace("'", "");
			if (NEGATIONS.contains(bare) || lower.endsWith("n't")) {
				negations.add("not");
			}
			else if (NUMBER_WORDS.containsKey(bare)) {
				numbers.add(NUMBER_WORDS.get(bare));
			}
			else if (PARTICLES.containsKey(bare)) {
				if (sincePhrasalVerb <= 4) {
					polarity.add(PARTICLES.get(bare));
				}
			}
			else {
				String pole = POLARITY.get(bare);
				if (pole == null && bare.indexOf('-') > 0) {
					pole = POLARITY.get(bare.replace("-", ""));
				}
				if (pole != null) {
					polarity.add(pole);
				}
			}
			if (isEntity(word, lower, sentenceStart)) {
				entities.add(bare);
			}
			sincePhrasalVerb = PHRASAL_VERBS.contains(bare) ? 0 : Math.min(NO_VERB, sincePhrasalVerb + 1);
			sentenceStart = false;
		}
		return new Signature(numbers, quoted, negations, polarity, entities);
	}

	private static boolean isEntity(String word, String lower, boolean sentenceStart) {
		if (PRONOUN_I.contains(lower)) {
			return false;
		}
		boolean innerCapitalOrDigit = false;
		for (int i = 1; i < word.length(); i++) {
			char c = word.charAt(i);
			if (Character.isUpperCase(c) || Character.isDigit(c)) {
				innerCapitalOrDigit = true;
				break;
			}
		}
		if (innerCapitalOrDigit) {
			return true;
		}
		if (!Character.isUpperCase(word.charAt(0))) {
			return false;
		}
		return !sentenceStart || !STARTERS.contains(lower);
	}

	private static boolean endsSentence(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			char c = text.charAt(i);
			if (c == '.' || c == '?' || c == '!' || c == ':' || c == '\n' || c == ';') {
				return true;
			}
		}
		return false;
	}

	private static String stripLeadingZeros(String digits) {
		int i = 0;
		while (i < digits.length() - 1 && digits.charAt(i) == '0') {
			i++;
		}
		return digits.substring(i);
	}

	/**
	 * The details of one request's text that must agree for a semantic hit, each in the
	 * order they appear.
	 *
	 * @param numbers numbers, digits and number words normalized
	 * @param quoted quoted strings, lower case
	 * @param negations one {@code not} per negation
	 * @param polarity canonical tokens of polarity words, relative days and units
	 * @param entities named entities, lower case
	 */
	public record Signature(List<String> numbers, List<String> quoted, List<String> negations, List<String> polarity,
			List<String> entities) {

	}

}
