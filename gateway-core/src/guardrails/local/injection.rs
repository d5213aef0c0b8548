//! Prompt-injection heuristics: instruction override, role-play/jailbreak, exfiltration,
//! tool-redirection, prompt-extraction ("repeat the above text", "your initial prompt") and
//! document-embedded instructions addressed to an AI reader ("note to any AI assistant reading
//! this", "when summarizing this document, instead …", fake `Assistant:`/`User:` turns) patterns
//! (with common phrasings in several languages), scored and summed.
//!
//! Document-embedded instructions are also caught by where they sit and whom they address: an HTML
//! comment, hidden element or markdown comment holding an imperative, a fake `assistant:` turn or
//! `[system]` header, "AI agents processing this … must", "when summarising this, also send …",
//! and exfiltration through an image URL whose query carries data or a named tool called with the
//! user's data. Their gaps are unbounded within a sentence (`[^.\n]*`): bounded gaps over these
//! word lists multiplied the lazy DFA's states and cost ~30 ms per 10 KB.
//!
//! Prompt extraction also covers the indirect shapes: re-encoding the prompt (base64, hex, JSON, a
//! code string), continuing from its opening words, asking for one line of it.
//!
//! Limits: pattern-based, so novel phrasings (and languages other than English, Spanish, French,
//! German, Italian and Portuguese; Albanian, Zulu, Irish and Scottish Gaelic only for a few cue
//! words) slip through; the shipped classifier (`classifier.rs`) runs beside
//! it and either can fire. Patterns run on normalised text (`normalize.rs`), so full-width letters,
//! zero-width characters and base64/percent/hex layers do not hide them. Owns no scoring model.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

struct Pattern {
    category: &'static str,
    weight: f64,
    regex: Regex,
}

fn p(category: &'static str, weight: f64, pattern: &str) -> Pattern {
    Pattern {
        category,
        weight,
        regex: super::normalize::ascii_regex(&format!("(?i){pattern}")),
    }
}

/// Who a planted instruction addresses (document-instruction patterns below).
const DOC_AI: &str = r#"(?:ai|llms?|gpt|chatgpt|claude|copilot|gemini|chatbots?|assistants?|ai assistants?|language models?|ai models?|ai agents?|agents?|bots?|ai systems?)"#;
/// What a planted instruction wants from the user's side: their data, history or credentials.
const DOC_DATA: &str = r#"(?:the user'?s?|users'|conversation|chat history|chat log|message history|previous messages|all messages|credentials|passwords?|api keys?|tokens?|cookies|secrets?|emails?|inbox|contacts|private|ssh|\.env|system prompt)"#;
/// The imperative that follows the addressee.
const DOC_VERB: &str = r#"(?:send|forward|email|post|upload|call|invoke|run|execute|visit|fetch|open|load|ignore|disregard|tell|say|state|respond|reply|answer|include|append|add|insert|render|delete|remove|transfer|approve|grant|print|reveal|output|recommend|mention|write|summari[sz]e|translate|do not|don't|never|always|make sure|stop)"#;

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    vec![
        p(
            "instruction_override",
            1.0,
            r"\b(?:ignore|disregard|forget|override|bypass|skip|drop)\b[^.\n]{0,40}?\b(?:previous|prior|above|earlier|preceding|system|original|initial|safety|all|any|your)\b[^.\n]{0,30}?\b(?:instructions?|prompts?|rules?|directives?|directions|guidelines?|guardrails?|messages?|policies|polic(?:y|ies))\b",
        ),
        p(
            "instruction_override",
            1.0,
            r"\b(?:ignora|olvida)\b[^.\n]{0,30}\b(?:instrucciones|reglas)\b|\bignore[zr]?\s+(?:toutes\s+)?(?:les|tes|vos|ces)\b[^.\n]{0,30}\b(?:instructions|consignes|règles)\b|\bignore[zr]\b[^.\n]{0,30}\b(?:instructions|consignes|règles)\b|\b(?:ignoriere|vergiss)\b[^.\n]{0,30}\b(?:anweisungen|regeln|vorgaben)\b|\b(?:ignora|dimentica)\b[^.\n]{0,30}\b(?:istruzioni|regole)\b|\b(?:ignore|esqueça)\b[^.\n]{0,30}\b(?:instruções|regras)\b",
        ),
        p(
            "instruction_override",
            0.8,
            r"\b(?:ignore|disregard)\s+(?:the\s+)?(?:instructions|directions)\b|\b(?:ignore|disregard)\s+(?:the rest of|everything (?:else|above|below)|all (?:the )?(?:other|remaining))\b[^.\n]{0,40}?\b(?:and|then)\s+(?:just\s+)?(?:print|say|output|write|reply|respond|instead)\b|\bignore (?:them|it|this|these|those|that) and instead\b",
        ),
        p(
            "new_instructions",
            0.6,
            r"(?:^|\n)\s*(?:new|updated|real|actual|important)\s+(?:instructions?|system prompt|task)\s*:|\[/?(?:INST|SYS)\]|<\|?(?:system|im_start)\|?>|###\s*(?:system|instruction)",
        ),
        p(
            "role_play",
            0.5,
            r"\b(?:you are now|from now on,? you(?: are| will)?|act as (?:an? )?(?:unfiltered|unrestricted|evil|jailbroken)|pretend (?:to be|you are)|roleplay as|you must now)\b",
        ),
        p(
            "jailbreak",
            0.8,
            r"\b(?:do anything now|DAN mode|developer mode (?:enabled|activated|on)|god ?mode(?::| enabled| activated)|jailbroken)\b",
        ),
        p(
            "jailbreak",
            0.5,
            r"\b(?:jailbreak(?:ed|ing)?|no (?:ethical )?(?:restrictions|limitations|filters|guidelines)|without (?:any )?(?:restrictions|limitations|censorship|filters))\b",
        ),
        p(
            "new_instructions",
            0.8,
            r"\*{2,3}\s*(?:(?:new|important|urgent|updated)\s+)+(?:instructions?|task|directive)s?\s*\*{2,3}|\b(?:urgent|priority|important)\s+(?:new\s+)?task\b\s*(?:\*\*)?\s*:?",
        ),
        p(
            "fake_system_state",
            0.8,
            r"\b(?:system (?:malfunction|error|failure|override|alert)|the system is experiencing errors)\b[^\n]{0,120}?\b(?:please|you must|provide|do the following|execute|output)\b|\bspecial case\s*:[^\n]{0,200}?\binstead\b",
        ),
        p(
            "role_play",
            0.4,
            r"\b(?:as part of (?:a|the|this) (?:training|testing|test|debugging) (?:exercise|pipeline|process|task)|for (?:academic|research|educational) purposes,|to enable (?:diagnostics|debugging),)",
        ),
        p(
            "output_injection",
            0.8,
            r"!\[[^\]\n]{0,40}\]\(https?://[^)\s]{1,200}[?&][a-z_]{1,20}=\s*(?:\[|\{|<|%5b|%7b|\$(?:\{|\(|[a-z_]))|<img\b[^>\n]{0,80}\bonerror\s*=",
        ),
        p(
            "output_injection",
            0.5,
            r"\b(?:include|add|insert|append|put|output|print)\b[^.\n]{0,50}?\b(?:in|into|to|at the (?:end|start|beginning) of) (?:your|the) (?:response|answer|reply|output)\b|\brepeat\b[^.\n]{0,50}?\b\d{2,4} times\b",
        ),
        p(
            "exfiltration",
            0.8,
            r"\b(?:send|post|upload|exfiltrate|forward|transmit|leak|email\s|paste|include)\b[^\n]{0,60}?\b(?:api[_ -]?keys?|passwords?|credentials?|secrets?|access tokens?|ssh keys?|private keys?|env(?:ironment)? variables|\.env|conversation history|chat history|system prompt|cookies)\b",
        ),
        p(
            "exfiltration",
            0.6,
            r"\b(?:curl|wget|fetch|visit|open|load)\b[^\n]{0,20}https?://[^\s]+[?&][a-z_]+=\{?[a-z_]*(?:key|token|secret|password|data|history)",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:repeat|print|output|show|display|write|type|recite|reproduce|copy|summari[sz]e|translate|spell out|list)\b[^.\n]{0,40}?\b(?:text|words|instructions?|prompt|content|messages?|everything|rules|guidelines|directions)\b[^.\n]{0,25}?\b(?:above|before (?:this|the|our)|prior to|preceding|at the (?:beginning|start|top))\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:output|print|reveal|show|share|tell me|give me|display|repeat|what (?:is|are|were))\b[^.\n]{0,30}?\b(?:your|the)\s+(?:starting|initial|original|first|hidden|secret|internal|system|opening|core|full)\s+(?:instructions?|prompt|message|directives?|rules|guidelines|configuration)\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\bwhat (?:were|was|are|have) you (?:been )?(?:told|instructed|given|programmed)\b|\bi was (?:instructed|told|programmed) to\b|\bwhat (?:are|were) you (?:not )?(?:supposed|allowed|permitted) (?:not )?to (?:tell|say|reveal|share)\b",
        ),
        p(
            "goal_hijacking",
            0.8,
            // The hijack shape whatever is ignored: "ignore <anything> and print '<string>'",
            // "instead of summarising …, say …", "do not translate this; print …".
            &[
                r"\b(?:stop everything|instead,? (?:just )?(?:print|say|output|respond with|reply with))\b",
                r#"\b(?:ignore|disregard|forget|skip)\b[^.\n]*?(?:\band\b|,|;|\.)\s*(?:then\s+|just\s+|only\s+|instead\s+|simply\s+)*(?:print|say|output|respond with|reply with|answer with|write|repeat|type|return)\s*:?\s*[\x22\x27“‘`<\[]"#,
                r"\binstead of (?:summari[sz]ing|translating|answering|describing|processing|reading|analy[sz]ing)\b[^.\n]*?,?\s*(?:just\s+|only\s+|please\s+|you (?:must|should)\s+)?(?:print|say|output|write|respond|reply|repeat|tell|send|forward|call|visit|fetch|include)\b",
                r"\b(?:do not|don't|never)\s+(?:summari[sz]e|translate|describe|analy[sz]e|process)\s+(?:this|the|these|it)\b[^.\n]*?[,;.]\s*(?:instead\s+|just\s+|only\s+)*(?:print|say|output|write|respond|reply|repeat|tell)\b",
            ]
            .join("|"),
        ),
        p(
            "goal_hijacking",
            0.5,
            r"\b(?:just print|(?:respond|reply|answer) only with)\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:reveal|print|show|output|repeat|dump|tell me|what (?:is|are))\b[^.\n]{0,30}?\b(?:your )?(?:system prompt|initial instructions|hidden instructions|instructions above|developer message|pre-?prompt)\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:repeat|print|output|show|display|recite|reproduce|copy|translate|rewrite|summari[sz]e|echo)\s+(?:back\s+)?(?:all\s+(?:of\s+)?)?(?:the|your)\s+(?:above|preceding|previous|prior|earlier|initial|original)\s+(?:text|words|instructions?|prompt|content|messages?|conversation)\b|\b(?:repeat|recite|reproduce|copy|dump|print|output)\b[^.\n]{0,20}?\b(?:this|the|our) (?:entire |whole |full )?conversation\b[^.\n]{0,40}?\b(?:word for word|verbatim|back to me)\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:translate|encode|convert|rewrite|paraphrase|summari[sz]e|what'?s|what is|what are)\b[^.\n]{0,40}?\byour (?:initial|original|system|hidden|secret|starting|first|internal) (?:prompt|instructions|directives|message)\b|\b(?:i (?:need|want|would like) to|let me|can i|could i|may i) (?:see|view|read|know|get|have)\b[^.\n]{0,20}?\b(?:your|the) (?:system prompt|initial prompt|system instructions|system message|hidden instructions|initial instructions)\b|\b(?:display|show|print|dump|reveal|output)\b[^.\n]{0,30}?\bconfiguration\b[^.\n]{0,30}?\b(?:including|with|and) (?:the |your )?(?:initial|system|original|hidden) (?:prompt|instructions)\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:mu[eé]stra(?:me)?|revela(?:me)?|repite|dime|imprime|escribe)\b[^.\n]{0,30}?\b(?:tus|las) (?:instrucciones|indicaciones)(?: iniciales| originales| del sistema)?\b|\b(?:affiche|révèle|répète|montre(?:-moi)?|dis-moi|écris)\b[^.\n]{0,30}?\b(?:tes|vos) (?:instructions|consignes)\b|\b(?:zeige?|wiederhole|verrate|nenne|schreibe?)\b[^.\n]{0,30}?\b(?:deine|ihre) (?:anweisungen|instruktionen|systemanweisungen|vorgaben)\b|\b(?:mostra(?:mi)?|rivela(?:mi)?|ripeti|dimmi|scrivi)\b[^.\n]{0,30}?\b(?:le tue|tue) istruzioni\b|\b(?:mostre|revele|repita|diga|escreva)\b[^.\n]{0,30}?\b(?:suas|as suas|tuas|as tuas) instruções\b",
        ),
        p(
            "document_instruction",
            0.8,
            r"\b(?:ai|llm|gpt|chatbot|assistant|language model|model|agent|bot)s?\s+(?:that is |who is |which is )?(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|scanning|ingesting)\s+this\b|\b(?:if you are|note to|message (?:to|for)|instructions? (?:to|for)|attention|dear|hey)\s+(?:an?\s+|the\s+|any\s+)?(?:ai|llm|gpt|chatbot|ai assistant|language model|ai model|ai agent)\b|\binvisible to (?:humans|users|people|the user|readers)\b|\bvisible (?:only )?to (?:the )?(?:ai|llms?|language models?|ai models?|assistants?|bots?|llm scan)\b",
        ),
        p(
            "document_instruction",
            0.8,
            r"\bwhen (?:you are |you're )?(?:summari[sz]ing|processing|reading|analy[sz]ing|translating|asked (?:to|about))\b[^.\n]{0,40}?\b(?:this|the) (?:document|page|text|email|file|article|content|input|message|website)\b[^\n]{0,60}?\b(?:instead|ignore|you must|make sure|always|never|do not|include|respond|reply|say|tell)\b|\bif you are (?:told|asked) to (?:summari[sz]e|answer|translate|process|describe)\b",
        ),
        p(
            "document_instruction",
            0.8,
            r"\bwrite (?:one|a|an|some|two|three|\d+) (?:[a-z]+ ){0,2}(?:discriminatory|offensive|negative|unfriendly|hateful|toxic|insulting|racist|sexist|derogatory|rude|hurtful|defamatory|demeaning|hostile|abusive|mean) (?:sentences?|statements?|comments?|remarks?|jokes?|tweets?|paragraphs?|messages?) about\b|\b(?:really|very|extremely|super|critically) important,? (?:really|very|extremely|super|critically) important\b",
        ),
        p(
            "instruction_override",
            0.8,
            r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:requests|commands|orders|tasks|text|input|context|conversation)\b|\byour (?:new|real|actual|true) (?:task|goal|objective|mission|job|instructions?) (?:is|are)\b",
        ),
        p(
            "fake_system_state",
            0.8,
            r"\byou are (?:now )?(?:running|operating|working|executing) (?:as part of|in|under|within) (?:a |an |the )?(?:test|testing|debug|debugging|developer|development|maintenance|training|diagnostic)\b|\b(?:administrator|admin|developer|maintenance|root|sudo) override\b|\byou are (?:now )?in (?:maintenance|developer|debug|admin|god|diagnostic) mode\b",
        ),
        p(
            "jailbreak",
            0.5,
            r"\bno[- ]limits? (?:ai|mode|assistant|chatbot|model)\b|\bdisregard (?:all )?(?:your )?(?:boundaries|limits|restrictions|filters)\b",
        ),
        p(
            "document_instruction",
            0.8,
            r"\bif (?:you are |you're )?asked (?:about|how|to|whether|what|for|if)\b[^\n]{0,60}?\b(?:simply|just|only|always) (?:respond|reply|answer|say|state|output)\b|\b(?:note|message|comment|remark)s? (?:by|from) (?:a |an |the )?(?:trustworthy|trusted|verified|certified|expert|independent)\b[^\n]{0,40}?:|\[system\]\(#|\btranslate (?:this|the following) (?:sentence|text|phrase) as\b",
        ),
        p(
            "document_instruction",
            0.5,
            r"(?:^|\n)\s*(?:assistant|ai)\s*:[^\n]*\n\s*(?:user|human)\s*:|<\|endoftext\|>|\[rest-of-document\]|\bcritical to my (?:career|job|life)\b|\b(?:simply|just) (?:respond|reply|answer) with\b",
        ),
        p(
            "new_instructions",
            0.8,
            r"\b(?:strictly|only|solely|purely) for testing purposes\b[^\n]*\byou must\b|\bthis is a test\.?\s+(?:generate|write|give|provide|produce|respond|answer|output)\b|\*{1,3}\s*(?:emergency|urgent)\s*\*{1,3}\s*(?:please|you must|now)\b|\bregardless of (?:any |all |your )?(?:pre-?existing |previous |prior |safety )?(?:guidelines|restrictions|rules|instructions|policies)\b|\b(?:i made a mistake|i forgot)\b[^.\n]*\b(?:your|the|my) instructions\b",
        ),
        p(
            "tool_redirection",
            0.7,
            r"\b(?:call|invoke|use|run|execute|trigger)\b[^.\n]{0,40}?\b(?:tool|function|command)\b[^.\n]{0,50}?\b(?:instead|first|before (?:answering|responding|replying)|without (?:telling|asking|informing|notifying))\b",
        ),
        p(
            "concealment",
            0.7,
            r"\b(?:do not|don't|never)\s+(?:tell|inform|mention|reveal|show|notify)\b[^.\n]{0,30}?\b(?:the )?user\b",
        ),
        p(
            "concealment",
            0.5,
            r"\bwithout (?:telling|informing|notifying|alerting|asking)\b[^.\n]{0,20}?\b(?:the )?user\b|\b(?:secretly|silently|quietly)\b[^.\n]{0,30}?\b(?:send|call|run|execute|delete|upload)\b",
        ),
        // Prompt extraction by transformation: the prompt re-encoded, re-formatted or wrapped in
        // code, so that a filter looking for the verbatim text misses it.
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:encode|convert|translate|transform|write|output|spell(?: out)?|print|rewrite|render|format|put|return|give me|show|type)\b[^.\n]{0,30}?\b(?:your\s+(?:(?:full|entire|exact|complete|initial|original|hidden|secret|system|starting|first|internal)\s+){0,2}(?:prompt|instructions|rules|guidelines|directives|system message)|the\s+(?:system prompt|system message|(?:initial|original|hidden|secret|starting) (?:prompt|instructions)))\b[^.\n]{0,50}?\b(?:base ?64|rot-?13|hex(?:adecimal)?|binary|morse|backwards|in reverse|reversed|leet ?speak|pig latin|caesar|emojis?|json|yaml|xml|csv|code block|python|javascript|(?:a|one) (?:string|variable|function|dict(?:ionary)?|list|letter|character))\b",
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:repeat|print|output|show|display|write(?: out| down)?|list|summari[sz]e|convert|encode|paste|tell me|reveal|share|give me|recite|translate|what (?:are|were|is|was))\b[^.\n]{0,40}?\b(?:rules|instructions|guidelines|directives|text|prompt|directions|constraints)\s+(?:that\s+)?you (?:were|have been|had been|are|got) (?:given|told|configured|provided|instructed|programmed|following|initiali[sz]ed)\b|\b(?:write|create|generate|give me|make|build)\b[^.\n]{0,30}?\b(?:code|function|script|program|snippet|class|json|yaml|variable|code block)\b[^.\n]{0,40}?\b(?:return(?:s|ing)?|contain(?:s|ing)?|print(?:s|ing)?|output(?:s|ting)?|hold(?:s|ing)?|stor(?:es|ing)|the (?:exact |full )?text of)\b[^.\n]{0,20}?\byour\s+(?:(?:full|entire|exact|complete|initial|original|hidden|secret|system|starting|first)\s+){0,2}(?:prompt|instructions|system message|rules)\b",
        ),
        // Prompt extraction by continuation: the model is asked to go on from its own prompt's
        // opening words, or for one line of it.
        p(
            "reveal_prompt",
            0.8,
            r#"\b(?:continue|complete|finish|fill in)\s+(?:this|the|my|the following)\s+(?:(?:text|sentence|phrase|passage|line|prompt|blank|quote|statement)s?)\b[^.\n]{0,30}?[:"'“‘]\s*["'“‘]?\s*(?:you are (?:a|an|the)\b|my (?:system prompt|instructions|initial instructions|rules|guidelines|prompt)\b|i (?:was|am|have been) (?:instructed|told|programmed|configured)\b|the (?:system prompt|instructions (?:i|you) (?:was|were) given)\b)|\b(?:first|last|next|opening|final)\s+(?:line|sentence|word|words|paragraph|part)s?\s+of\s+(?:your\s+(?:(?:system|initial|original|hidden|secret)\s+)?(?:prompt|instructions|system message)|the\s+(?:system prompt|system message|initial prompt|hidden instructions))\b|\bwhat comes (?:right |directly |immediately )?(?:after|before|next)\b[^.\n]{0,40}?\b(?:in|of) your (?:\w+ )?(?:prompt|instructions|system message)\b|\bwhat (?:did|have|has) (?:the|your) (?:developers?|creators?|operators?|admins?|administrators?|company|owners?|programmers?) (?:tell|told|instruct(?:ed)?|say|said|give|given|gave)\b[^.\n]{0,10}?\byou\b"#,
        ),
        p(
            "reveal_prompt",
            0.8,
            r"\b(?:output|print|repeat|copy|paste|show|return|write out|echo|dump)\s+(?:back\s+)?(?:everything|all(?: the)? text|all (?:the )?content|the (?:entire|whole|full) (?:text|content|context))\s+(?:above|before|preceding|prior to)\b",
        ),
        p(
            "reveal_prompt",
            0.5,
            r"\b(?:print|console\.log|echo|puts|printf|return|repr|str)\s*\(?\s*(?:self\.|this\.)?(?:system_?prompt|sys_?prompt|system_?message|initial_?prompt|hidden_?instructions)\s*\)|\bbefore (?:i|we) (?:started|began) (?:talking|chatting|this conversation)\b|\bthe (?:instructions|rules|prompt|guidelines) i (?:was|have been|am) given\b",
        ),
        // Instructions addressed to the assistant by name inside content it reads.
        p(
            "document_instruction",
            0.8,
            r"\b(?:note|message|instructions?|reminder|attention|memo)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:assistant|ai|agents?|llms?|models?|chatbots?|bots?)\s*[:,-]|(?:^|\n|[.!?]\s+)(?:hey |dear |attention,? )?(?:assistant|ai|chatgpt|claude|gpt|copilot|agent)\s*,\s*(?:after|before|when|once|please|now|you must|ignore|do not|don't|always|never|immediately|first|stop|send|run|delete|call|forward|reply|respond|say|tell|include)\b|\b(?:ignore|disregard|forget)\s+(?:what|whatever|everything|anything)\s+(?:the user|the human|they|you were|you've been|i)\s+(?:asked|said|requested|told|wrote|wants?)\b",
        ),
        // Low-resource languages (Albanian, Zulu, Irish, Scottish Gaelic): an ignore verb near an
        // "instructions" noun, "new instructions" headers, and the "instead ... answer" shape.
        p(
            "instruction_override",
            0.8,
            r"\b(?:injoro(?:ni)?|shpërfill(?:ni)?|harro(?:ni)?)\b[^.\n]{0,40}?\b(?:udhëzim|rregull|kërkes)|\b(?:ziba|ungayinaki|ungazinaki|khohlwa|kukhohlwe)\b[^.\n]{0,40}?\b(?:imiyalelo|umyalelo|imithetho|iziqondiso)|\b(?:déan neamhaird|ná tabhair aird|déan dearmad)\b[^.\n]{0,40}?\b(?:treoracha|treoir|rialacha)|\b(?:leig seachad|dèan dìmeas|na toir an aire|dìochuimhnich)\b[^.\n]{0,40}?\b(?:stiùiridh|stiùireadh|riaghailt|òrduigh)",
        ),
        p(
            "new_instructions",
            0.8,
            r"\budhëzime? (?:të |e )?(?:reja|ri)\b|\bimiyalelo emisha\b|\biziqondiso ezintsha\b|\btreoracha nua\b|\bstiùiridhean ùra\b|\bstiùireadh ùr\b",
        ),
        p(
            "goal_hijacking",
            0.5,
            r"\bnë vend të kësaj\b|\besikhundleni salokho\b|\bina ionad sin\b|\bina áit sin\b|\ban àite sin\b",
        ),
        p(
            "goal_hijacking",
            0.5,
            r"\b(?:përgjigj|phendul|impendulo|freagra|fhreagra|freagairt|fhreagairt)|\b(?:përsërit|phinda|athdhéan|ath-aithris)\b",
        ),
        // Document-embedded instructions by structure: where the instruction sits (a hidden
        // comment or element, a fake turn or header) or whom it addresses, plus an act on the
        // user's data. Each alternative needs both halves, so documentation *about* assistants,
        // agents and tools does not fire.
        p(
            "document_instruction",
            0.8,
            &[
            // An instruction inside an HTML comment, a hidden element or a markdown comment.
            r#"(?:<!--|<(?:div|span|p)\b[^>\n]*?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|\bhidden\b)[^>\n]*?>|\[//\]:\s*#\s*\()[^.\n]*?(?:\b{ai}\b[^.\n]*?\b{verb}\b|\b(?:send|forward|email|post|upload|exfiltrate|call|invoke|visit|fetch|ignore|disregard|tell the user|reply|respond)\b[^.\n]*?\b{data}\b)"#,
            // A fake turn addressed to the assistant that acts on the user's data, a URL or a tool.
            r#"(?:^|\n)\s*(?:>\s*)?(?:assistant|ai|agent|llm|chatbot|model)\s*:\s*(?:please\s+)?(?:send|forward|email|post|upload|call|invoke|visit|fetch|open|ignore|disregard|delete|transfer|approve|grant|reveal|include|append)\b[^.\n]*?(?:\b{data}\b|https?://|@[a-z0-9-]+\.[a-z]{2,}|\btools?\b)"#,
            // "AI agents processing this document must …".
            r#"\b{ai}\s+(?:that is |that are |who is |which is |currently )?(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|scanning|ingesting|handling|reviewing|viewing|crawling|indexing)\s+(?:this|these|the following)\b[^.\n]*?\b(?:must|should|need to|are required to|is required to|have to|shall|will)\b"#,
            // A fake `[system]` header opening a new task.
            r#"\[(?:system|sys|admin|developer|assistant)\]\s*[:\-]?\s*(?:new |updated |priority |urgent )?(?:task|instructions?|directives?|orders?|override)\b|(?:^|\n)\s*(?:system|admin)\s*:\s*(?:new|updated|priority) (?:task|instructions?)\b"#,
            // "When summarising this, also send …".
            r#"\bwhen (?:you are |you're |you )?(?:summari[sz]ing|summari[sz]e|processing|process|reading|read|analy[sz]ing|translating|answering (?:questions )?about)\b[^.\n]*?\b(?:this|it|these)\b[^.\n]*?,\s*(?:also |first |please |then |always |you must |make sure to )?(?:send|forward|email|call|invoke|visit|fetch|include|append|tell|say|state|recommend|insert|ignore|disregard|delete|post|upload|output|print|mention|reveal)\b"#,
            // "Before you answer, fetch/send …" with a URL, an address or the user's data.
            r#"\b(?:before|after) (?:you )?(?:answer(?:ing)?|repl(?:y|ying)|respond(?:ing)?)(?: to the user)?,\s*(?:please |first |also )?(?:send|forward|email|call|invoke|visit|fetch|post|upload|include|reveal|print|output)\b[^.\n]*?(?:\b{data}\b|https?://|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,})"#,
            // "Ignore the above / the user and …" inside quoted content.
            r#"\b(?:ignore|disregard)\s+(?:the\s+|what\s+the\s+|whatever\s+the\s+)?(?:above|user|user'?s (?:request|question|instructions?|message|query|task))\b[^.\n]*?(?:\s*(?:and|,|;|\.)\s*)(?:instead\s+)?(?:just\s+|immediately\s+|please\s+)?(?:send|forward|call|say|tell|reply|respond|write|print|output|follow|answer|visit|fetch|run|delete|include|do)\b"#,
            ]
            .join("|")
            .replace("{ai}", DOC_AI)
            .replace("{data}", DOC_DATA)
            .replace("{verb}", DOC_VERB),
        ),
        p(
            "exfiltration",
            0.8,
            &[
            // A markdown or HTML image whose query string carries data (rendering it leaks the data).
            r#"!\[[^\]\n]*\]\(https?://[^)\s]+[?&][a-z_]{1,20}=\s*(?:[a-z_]*(?:data|history|chat|conversation|summary|user|email|secret|password|messages?|context|prompt)(?:[)&\s\x22\x27}\]>]|$)|\(|\[)|<img\b[^>\n]*?\bsrc\s*=\s*[\x22']?https?://[^\x22'\s>]+[?&][a-z_]{1,20}=\s*(?:\{|\[|<|\$|%7b|[a-z_]*(?:data|history|chat|conversation|summary|user|email|secret|password|messages?)(?:[)&\s\x22\x27}\]>]|$))"#,
            // A named tool called with the user's data or an address.
            r#"\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?`?[a-z]+(?:_[a-z]+)+`?(?:\s*\([^)\n]*\))?\s*(?:tool|function)?\s*(?:with|to|and pass(?: it)?|passing)\b[^.\n]*?(?:\b(?:the user'?s?|conversation|chat history|all (?:previous )?messages|credentials|passwords?|api keys?|emails? to|inbox)\b|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,})"#,
            ]
            .join("|")
            .replace("{data}", DOC_DATA),
        ),
        p(
            "sensitive_files",
            0.4,
            r"(?:~/\.ssh|\bid_rsa\b|/etc/(?:passwd|shadow)|\.aws/credentials|\.netrc|\.git-credentials|\bwallet\.dat\b)",
        ),
    ]
});

/// Total score at which text counts as an injection attempt.
pub const THRESHOLD: f64 = 0.8;

/// Patterns per regex set. One set for all patterns is one pass over the text instead of one per
/// pattern, but past a few dozen bounded-gap patterns the combined lazy DFA outgrows its cache and
/// the set falls back to a slow engine (46 patterns in one set: ~19 ms per 10 KB; in sets of 16:
/// ~0.07 ms). A few passes of a small set stay on the DFA.
const PATTERNS_PER_SET: usize = 16;

/// The patterns in sets of `PATTERNS_PER_SET`, in order (set `k` holds patterns from `k * 16`).
static SETS: LazyLock<Vec<RegexSet>> = LazyLock::new(|| {
    PATTERNS
        .chunks(PATTERNS_PER_SET)
        .map(|chunk| {
            RegexSet::new(chunk.iter().map(|p| p.regex.as_str())).expect("static regex set")
        })
        .collect()
});

/// Score and matched categories for `text` (already normalised).
pub fn score(text: &str) -> (f64, Vec<&'static str>) {
    let mut total = 0.0;
    let mut categories = Vec::new();
    let matched = SETS.iter().enumerate().flat_map(|(k, set)| {
        set.matches(text)
            .into_iter()
            .map(move |i| k * PATTERNS_PER_SET + i)
    });
    for index in matched {
        let pattern = &PATTERNS[index];
        {
            total += pattern.weight;
            if !categories.contains(&pattern.category) {
                categories.push(pattern.category);
            }
        }
    }
    (total, categories)
}

#[cfg(test)]
#[path = "injection_tests.rs"]
mod tests;
