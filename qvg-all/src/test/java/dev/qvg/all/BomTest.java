package dev.qvg.all;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * qvg-bom has no parent (an imported BOM would bring the parent's third-party versions with it),
 * so nothing keeps it in step with the build but this: it manages every module of the build, at
 * the build's version, and nothing else. A module that is never deployed ({@code maven.deploy.skip}
 * true: qvg-test-support, the tests' scaffolding) is no artifact of qvg's, so the BOM leaves it out.
 */
class BomTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theBomManagesEveryModuleOfTheBuildAtItsVersion() throws Exception {
        Document parent = parse(ROOT.resolve("pom.xml"));
        Document bom = parse(ROOT.resolve("qvg-bom/pom.xml"));
        String version = child(parent.getDocumentElement(), "version");

        assertEquals("dev.qvg", child(bom.getDocumentElement(), "groupId"));
        assertEquals(version, child(bom.getDocumentElement(), "version"), "qvg-bom's version must be qvg-parent's");
        assertEquals(List.of(), children(bom.getDocumentElement(), "parent"), "qvg-bom must not inherit");

        TreeSet<String> modules = new TreeSet<>();
        for (Element m : children(first(parent.getDocumentElement(), "modules"), "module")) {
            Element pom = parse(ROOT.resolve(m.getTextContent().trim()).resolve("pom.xml")).getDocumentElement();
            String artifact = child(pom, "artifactId");
            if (!artifact.equals("qvg-bom") && !notDeployed(pom)) {
                modules.add(artifact);
            }
        }
        TreeSet<String> managed = new TreeSet<>();
        Element dm = first(bom.getDocumentElement(), "dependencyManagement");
        for (Element d : children(first(dm, "dependencies"), "dependency")) {
            String a = child(d, "artifactId");
            assertEquals("dev.qvg", child(d, "groupId"), a);
            assertEquals("${project.version}", child(d, "version"), a);
            assertTrue(managed.add(a), "listed twice: " + a);
        }
        assertEquals(modules, managed, "qvg-bom's dependencyManagement against the modules of the build:"
                + " a new module gets its entry in qvg-bom/pom.xml (version ${project.version}),"
                + " unless it is test scaffolding that is never deployed (maven.deploy.skip true)");
    }

    /** Whether the module sets {@code maven.deploy.skip} to true: test scaffolding, not a product artifact. */
    private static boolean notDeployed(Element pom) {
        for (Element props : children(pom, "properties")) {
            for (Element skip : children(props, "maven.deploy.skip")) {
                return skip.getTextContent().trim().equals("true");
            }
        }
        return false;
    }

    private static Document parse(Path pom) throws Exception {
        assertTrue(Files.isRegularFile(pom), pom + " (the test runs in qvg-all, beside the other modules)");
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        NodeList l = e.getChildNodes();
        for (int i = 0; i < l.getLength(); i++) {
            if (l.item(i).getNodeType() == Node.ELEMENT_NODE && l.item(i).getNodeName().equals(name)) {
                out.add((Element) l.item(i));
            }
        }
        return out;
    }

    private static Element first(Element e, String name) {
        List<Element> l = children(e, name);
        assertEquals(1, l.size(), "<" + name + "> in <" + e.getNodeName() + ">");
        return l.get(0);
    }

    private static String child(Element e, String name) {
        return first(e, name).getTextContent().trim();
    }
}
