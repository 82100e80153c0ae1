package io.jserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChatTemplateTest {

    @Test
    void userTextIsNeverRunAsTemplateCode() {
        String attack = "{{ 7 * 7 }} {% if true %}X{% endif %} {{ messages|length }}";
        String out = ChatTemplate.chatMl().render(List.of(new ChatMessage("user", attack)), false, null, null);
        assertEquals("<|im_start|>user\n" + attack + "<|im_end|>\n", out);
    }

    @Test
    void chatMlIsTheFallback() {
        String out = ChatTemplate.chatMl().render(List.of(new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "Hi")), true, null, null);
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                out);
    }

    @Test
    void raiseExceptionStopsTheRenderWithTheTemplatesMessage() {
        ChatTemplate t = ChatTemplate.of("{% if messages[0]['role'] == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}after");
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> t.render(List.of(new ChatMessage("system", "x")), false, null, null));
        assertEquals("System role not supported", e.getMessage());
        assertEquals("after", t.render(List.of(new ChatMessage("user", "x")), false, null, null));
    }

    @Test
    void pythonStringMethodsHavePythonSemantics() {
        ChatTemplate t = ChatTemplate.of("{{ messages[0].content.split('</think>')[-1].lstrip('\\n') }}|"
                + "{{ messages[0].content.startswith(('a', '<th')) }}|{{ 'a,b,,c,'.split(',')|length }}|"
                + "{{ ' x '.strip() }}|{{ messages[0].content[0] }}");
        assertEquals("answer|true|5|x|<", t.render(List.of(new ChatMessage("user", "<think>why</think>\n\nanswer")),
                false, null, null));
    }

    @Test
    void trimStripsPythonWhiteSpaceOnly() {
        ChatTemplate t = ChatTemplate.of("[{{ messages[0].content | trim }}]");
        assertEquals("[\u0001x]", t.render(List.of(new ChatMessage("user", "\u00A0\u3000\u0001x\n ")), false, null, null));
    }

    @Test
    void keywordArgumentsBindLooserThanOperators() {
        assertEquals("namespace(i=(messages|length - 1), b=(f(x=(1))))",
                TemplateSourceRewriter.wrapKeywordArguments("namespace(i=messages|length - 1, b=f(x=1))"));
        ChatTemplate t = ChatTemplate.of("{% set ns = namespace(last=messages|length - 1) %}{{ ns.last }}\n");
        assertEquals("1", t.render(List.of(new ChatMessage("user", "a"), new ChatMessage("assistant", "b")),
                false, null, null));
    }

    @Test
    void aTemplateThatDoesNotParseIsRejectedAtLoad() {
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.of("{% if %}{% endfor %}"));
    }
}
